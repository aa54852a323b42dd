import { describe, expect, it } from 'vitest';
import { profilePlan } from './plan.ts';

describe('profilePlan', () => {
  it('cpu and heap are Node flags writing into <run>/profile', () => {
    expect(profilePlan('cpu', 'relay', '/r', null)).toMatchObject({ tool: 'node', nodeFlags: ['--cpu-prof', '--cpu-prof-dir=/r/profile'], clinic: null, fallback: null });
    expect(profilePlan('heap', 'cmd', '/r', '/x/clinic')).toMatchObject({ tool: 'node', nodeFlags: ['--heap-prof', '--heap-prof-dir=/r/profile'], fallback: null });
  });

  it('clinic modes wrap the relay when clinic is installed, else fall back to the Node flag that covers them, saying so', () => {
    expect(profilePlan('doctor', 'relay', '/r', '/x/clinic')).toMatchObject({ tool: 'clinic', nodeFlags: [], clinic: { bin: '/x/clinic', args: ['doctor', '--open=false', '--dest', '/r/profile', '--'], stopSignal: 'SIGINT', cwd: '/r/profile', env: { NO_INSIGHT: '1', SOAK_HARNESS_PID: String(process.pid) } } });
    const missing = profilePlan('doctor', 'relay', '/r', null);
    expect(missing).toMatchObject({ tool: 'node', nodeFlags: ['--cpu-prof', '--cpu-prof-dir=/r/profile'] });
    expect(missing.fallback).toBe('clinic is not installed (optional: npm install -D clinic): profiling with node --cpu-prof instead');
    // Measured broken around the relay (an empty profile): the Node flag even with clinic installed.
    const heap = profilePlan('heapprofiler', 'relay', '/r', '/x/clinic');
    expect(heap).toMatchObject({ tool: 'node', clinic: null, nodeFlags: ['--heap-prof', '--heap-prof-dir=/r/profile'] });
    expect(heap.fallback).toMatch(/^clinic heapprofiler writes an empty profile from the reference relay .*: profiling with node --heap-prof instead$/);
    expect(profilePlan('flame', 'cmd', '/r', '/x/clinic').fallback).toMatch(/^clinic flame wraps only the reference relay's node: profiling the --target-cmd with node --cpu-prof instead$/);
  });

  it('refuses a --target-pid and an unknown mode, naming the flag', () => {
    expect(() => profilePlan('cpu', 'pid', '/r', null)).toThrow(/^--profile needs a target the harness starts/);
    expect(() => profilePlan('perf', 'relay', '/r', null)).toThrow(/^--profile: expected one of cpu, heap, doctor, flame, heapprofiler, got perf$/);
  });
});
