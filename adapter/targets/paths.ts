import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The installed package root (works from dist/ bundles and from tsc output in out/). */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'elixirscope') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`elixirscope: cannot find the package root above ${__dirname}`);
    dir = up;
  }
}

/** A built bundle (dist/<name>.js). */
export function bundlePath(name: 'runtime' | 'runtime-worker' | 'adapter' | 'cli'): string {
  const path = join(packageRoot(), 'dist', `${name}.js`);
  if (!existsSync(path)) throw new Error(`elixirscope: ${path} is missing; run \`npm run build\` first`);
  return path;
}
