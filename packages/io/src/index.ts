/**
 * `@mlx-ts/io`: MLX's array files, one implementation of each format for `mx.save`/`mx.load` and
 * nn's `saveWeights`/`loadWeights`: NumPy's `.npy` and `.npz`, safetensors, and GGUF.
 */
export { save, savez, savezCompressed, load, type FileFormat, type FileMetadata, type LoadOptions } from './api.js';
export { encodeNpy, decodeNpy } from './npy.js';
export { saveNpz, loadNpz } from './npz.js';
export { saveSafetensors, loadSafetensors, encodeSafetensors, decodeSafetensors } from './safetensors.js';
export { saveGguf, type GgufMetadata, type GgufValue } from './gguf.js';
