import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** True in CI, where a missing binary fails the suite instead of skipping it. */
export const IN_CI = process.env.CI === 'true';

/** The binaries the integration tests use, by any of their names, and the Debian package that has them. */
export const TOOLS = {
  promtool: { names: ['promtool'], apt: 'prometheus' },
  prometheus: { names: ['prometheus'], apt: 'prometheus' },
  alertmanager: { names: ['prometheus-alertmanager', 'alertmanager'], apt: 'prometheus-alertmanager' },
  amtool: { names: ['amtool'], apt: 'prometheus-alertmanager' },
  dockerCompose: { names: ['docker-compose'], apt: 'docker-compose' },
} as const;

export type Tool = keyof typeof TOOLS;

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Paths of the wanted tools, plus a visible reason when some are missing. */
export function locate<T extends Tool>(
  wanted: readonly T[],
): { paths: Record<T, string>; missing: string | undefined } {
  const paths = {} as Record<T, string>;
  const absent: string[] = [];
  for (const tool of wanted) {
    const found = TOOLS[tool].names.map(which).find((p) => p !== undefined);
    if (found === undefined) absent.push(`${TOOLS[tool].names.join('/')} (apt-get install ${TOOLS[tool].apt})`);
    else paths[tool] = found;
  }
  const missing = absent.length === 0 ? undefined : `missing ${absent.join(', ')}`;
  if (missing !== undefined && !IN_CI) console.warn(`[integration] skipping: ${missing}`);
  return { paths, missing };
}
