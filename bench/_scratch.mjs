import * as mx from 'mlx-ts';
console.log(Object.keys(mx).length, ['matmul','exp','sum','softmax','valueAndGrad','grad','vmap','compile','eval','asyncEval','random','maximum','logsumexp','takeAlongAxis','array','zeros','ones','multiply','add','relu','mean','subtract','full','stopGradient','astype','defaultDevice','setDefaultDevice','getBackend','backends'].map(k => k + ':' + typeof mx[k]).join(' '));
const a = mx.ones([4,4]);
const c = mx.matmul(a, a); mx.eval(c); console.log(c.tolist());
