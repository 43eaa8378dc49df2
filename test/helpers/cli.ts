import { spawn } from 'node:child_process';
import type { CliIo } from '../../src/cli/io.js';

/** An in-memory io for calling a CLI main function in-process. */
export function memoryIo(env: NodeJS.ProcessEnv, secret = ''): CliIo & { stdout: string; stderr: string } {
  const io = {
    env,
    stdout: '',
    stderr: '',
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
    readSecret: async () => secret,
  };
  return io;
}

/** Spawns `node --import tsx src/cli/NAME.ts ...args` with `env` added, feeding `input` to stdin. */
export function spawnCli(name: string, args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `src/cli/${name}.ts`, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}
