export { jvp } from './vjp.js';
