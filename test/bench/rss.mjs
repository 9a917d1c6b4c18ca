// Preloaded with `node --import` by the bench: records the process's peak RSS (KiB) and its CPU
// time (user and system, microseconds) at exit, as one JSON object.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRSS: usage.maxRSS, user: usage.userCPUTime, system: usage.systemCPUTime }));
  });
}
