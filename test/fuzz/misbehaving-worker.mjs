// A stand-in worker for the supervisor's own test: case 1 kills the process, case 2 never
// answers, case 3 reports a silent acceptance, and every other case is a clear error.
process.on('message', ({ index }) => {
  if (index === 1) process.abort();
  if (index === 2) return;
  process.send(index === 3 ? { outcome: 'silent acceptance', message: 'returned without an error' } : { outcome: 'clear error', message: 'f: bad input' });
});
process.send({ ready: true });
