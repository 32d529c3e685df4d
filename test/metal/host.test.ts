/**
 * The Metal host code, checked on Linux: metal_host.cpp, metal_run.cpp and the addon (addon.cpp)
 * compile (syntax and types) against host/stubs, our declarations of the metal-cpp API they use
 * (the addon also against Node-API's and node-addon-api's headers), and host_logic.h's
 * allocator, batching, event and pipeline-cache logic passes its checks against a fake device.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { metalDir } from './fake-device.js';
import { napiDefines, napiIncludes } from './fake-addon.js';

const cxx = process.env.CXX ?? 'g++';
const run = (args: string[]) => spawnSync(cxx, args, { cwd: metalDir, encoding: 'utf8' });

describe('metal host code on Linux', () => {
  it('type-checks against the metal-cpp stubs (g++ -fsyntax-only)', () => {
    const r = run(['-std=c++17', '-fsyntax-only', '-Wall', '-Wextra', '-Werror', '-I', 'host/stubs', 'host/metal_run.cpp']);
    expect(r.status, r.stderr).toBe(0);
  });

  it('the N-API addon (host/addon.cpp: binding.h and napi_binding.h over MetalStream) type-checks against the stubs and the Node-API headers', () => {
    const includes = napiIncludes().flatMap((d) => ['-I', d]);
    const r = run(['-std=c++17', '-fsyntax-only', '-Wall', '-Wextra', '-Werror', ...napiDefines, '-I', 'host/stubs', ...includes, 'host/addon.cpp']);
    expect(r.status, r.stderr).toBe(0);
  });

  it('the stubs are what is checked: a misspelt Metal call fails', () => {
    const bad = '#include <Metal/Metal.hpp>\nvoid f(MTL::CommandBuffer* cb) { cb->comit(); }\n';
    const r = spawnSync(cxx, ['-std=c++17', '-fsyntax-only', '-I', 'host/stubs', '-x', 'c++', '-'], { cwd: metalDir, input: bad, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/comit/);
  });

  it('host_logic.h passes its checks against a fake device', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlx-ts-metal-host-'));
    try {
      const exe = join(dir, 'host_logic_test');
      const b = run(['-std=c++17', '-O0', '-Wall', '-Wextra', '-Werror', '-o', exe, 'host/host_logic_test.cc']);
      expect(b.status, b.stderr).toBe(0);
      const r = spawnSync(exe, [], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('host_logic_test: ok');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
