/**
 * Parses a /metrics scrape with the Prometheus project's own Python client parser
 * (prometheus_client.parser.text_string_to_metric_families; Debian's python3-prometheus-client,
 * installed by .ci/run): what a real scraper reads, never regexes of ours. It raises on any line
 * the text format does not allow.
 */
import { execFile } from 'node:child_process';

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface PromFamily {
  name: string;
  type: string;
  help: string;
  samples: PromSample[];
}

const SCRIPT = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "help": f.documentation,
                "samples": [{"name": s.name, "labels": s.labels, "value": s.value if math.isfinite(s.value) else str(s.value)} for s in f.samples]})
json.dump(out, sys.stdout)
`;

export function parsePrometheus(text: string): Promise<Map<string, PromFamily>> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      '/usr/bin/python3',
      ['-c', SCRIPT],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`prometheus_client could not parse the scrape: ${stderr || err.message}`));
        const families = JSON.parse(stdout) as PromFamily[];
        resolve(new Map(families.map((f) => [f.name, f])));
      },
    );
    child.stdin!.end(text);
  });
}

/** The value of the sample named `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue(
  families: Map<string, PromFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
