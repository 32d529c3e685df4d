import { WORKLOADS } from './workloads/defs.mjs';
const ids = process.argv[3].split(',');
console.log(JSON.stringify({ workloads: WORKLOADS.filter(w => ids.some(i => w.id.includes(i))), maxRunMs: 20000, measure: { budgetMs: 500, minReps: 3 } }));
