/**
 * A tiny XML well-formedness checker for the SVG tests (no XML parser is installed): one root
 * element, tags balanced and properly nested, attributes quoted and unique, no raw '<' or stray
 * '&' in text or attribute values (only the five predefined entities and numeric references).
 * Returns the elements found (name + attributes) so tests can query them.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  /** concatenated text directly inside this element (entities decoded) */
  text: string;
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;
const NAME = /[A-Za-z_:][-A-Za-z0-9_.:]*/y;

function decode(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) =>
    e === 'amp'
      ? '&'
      : e === 'lt'
        ? '<'
        : e === 'gt'
          ? '>'
          : e === 'quot'
            ? '"'
            : e === 'apos'
              ? "'"
              : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
  );
}

function checkText(s: string, where: number): void {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '<') throw new Error(`raw '<' at ${where + i}`);
    if (s[i] === '&') {
      ENTITY.lastIndex = i;
      if (!ENTITY.test(s)) throw new Error(`bare '&' at ${where + i}: ${s.slice(i, i + 12)}`);
    }
  }
}

export function parseXml(doc: string): XmlElement[] {
  let i = 0;
  if (doc.startsWith('<?xml')) {
    i = doc.indexOf('?>') + 2;
    if (i < 2) throw new Error('unterminated XML declaration');
  }
  const stack: XmlElement[] = [];
  const all: XmlElement[] = [];
  let roots = 0;
  while (i < doc.length) {
    const lt = doc.indexOf('<', i);
    const text = doc.slice(i, lt === -1 ? doc.length : lt);
    checkText(text, i);
    if (stack.length) stack[stack.length - 1].text += decode(text);
    else if (text.trim()) throw new Error(`text outside the root element at ${i}`);
    if (lt === -1) break;
    i = lt + 1;
    if (doc.startsWith('!--', i)) {
      const end = doc.indexOf('-->', i);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
      continue;
    }
    const closing = doc[i] === '/';
    if (closing) i++;
    NAME.lastIndex = i;
    const m = NAME.exec(doc);
    if (!m) throw new Error(`bad tag name at ${i}`);
    const name = m[0];
    i += name.length;
    if (closing) {
      const gt = doc.indexOf('>', i);
      if (doc.slice(i, gt).trim()) throw new Error(`junk in closing tag </${name}`);
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      i = gt + 1;
      continue;
    }
    const el: XmlElement = { name, attrs: {}, text: '' };
    for (;;) {
      const before = i;
      while (/\s/.test(doc[i] ?? '')) i++;
      if (doc.startsWith('/>', i) || doc[i] === '>') break;
      if (i === before) throw new Error(`attributes of <${name}> need white space at ${i}`);
      if (i >= doc.length) throw new Error(`unterminated <${name}>`);
      NAME.lastIndex = i;
      const a = NAME.exec(doc);
      if (!a) throw new Error(`bad attribute in <${name}> at ${i}: ${doc.slice(i, i + 20)}`);
      i += a[0].length;
      if (doc[i] !== '=' || (doc[i + 1] !== '"' && doc[i + 1] !== "'"))
        throw new Error(`attribute ${a[0]} of <${name}> is not quoted`);
      const q = doc[i + 1];
      const end = doc.indexOf(q, i + 2);
      const value = doc.slice(i + 2, end);
      checkText(value, i + 2);
      if (a[0] in el.attrs) throw new Error(`duplicate attribute ${a[0]} in <${name}>`);
      el.attrs[a[0]] = decode(value);
      i = end + 1;
    }
    all.push(el);
    if (stack.length === 0) roots++;
    if (roots > 1) throw new Error('more than one root element');
    if (doc.startsWith('/>', i)) {
      i += 2;
    } else {
      i += 1;
      stack.push(el);
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (roots !== 1) throw new Error('no root element');
  return all;
}
