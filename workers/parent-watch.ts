/**
 * A worker started by `npm start` (forked with an IPC channel) dies with its parent: the channel
 * closes when the parent exits, however it exits (SIGKILL included), and `disconnect` fires; the
 * parent pid changing (re-parented to init or a subreaper) is the backstop. A worker started on its
 * own (`npm run worker`, no IPC channel) is not watched.
 */
export function watchParent(onGone: (why: string) => void, pollMs = 1000): () => void {
  if (!process.send) return () => undefined;
  const ppid = process.ppid;
  let fired = false;
  const gone = (why: string) => {
    if (fired) return;
    fired = true;
    clearInterval(poll);
    onGone(why);
  };
  const onDisconnect = () => gone('the parent process closed its IPC channel (it exited)');
  process.once('disconnect', onDisconnect);
  const poll = setInterval(() => {
    if (process.ppid !== ppid) gone(`the parent process ${ppid} exited`);
  }, pollMs);
  poll.unref();
  return () => {
    clearInterval(poll);
    process.off('disconnect', onDisconnect);
  };
}
