import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ROOT } from '../prometheus/promql-sources.js';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
}
const compose = parseYaml(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('has the lossband, prometheus, alertmanager and grafana services', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['lossband', 'prometheus', 'alertmanager', 'grafana']),
    );
  });

  it('pins every image to an explicit version', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build !== undefined) continue;
      expect(s.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+[\w.-]*$/);
    }
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/^FROM node:20\.\d+\.\d+-\S+/m);
  });

  it('runs the trainer long, on all interfaces, with an overridable token', () => {
    const lossband = services.lossband;
    expect(lossband?.build?.dockerfile).toBe('Dockerfile');
    expect(lossband?.command).toEqual(['--band', '0.3:0.4']);
    // The image starts (or after a restart resumes) an unbounded run on all interfaces.
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/bin\/sh", "docker\/run-or-resume\.sh"\]$/m);
    const script = readFileSync(join(ROOT, 'docker/run-or-resume.sh'), 'utf8');
    expect(script).toMatch(/--epochs 0 --host "\$host" --port "\$port"/);
    expect(script).toMatch(/host=\$\{LOSSBAND_HOST:-0\.0\.0\.0\}/);
    expect(lossband?.environment?.LOSSBAND_TOKEN).toMatch(/^\$\{LOSSBAND_TOKEN:-.+\}$/);
  });

  it('mounts only files that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const volume of s.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('.')) expect(existsSync(join(ROOT, source)), `${name}: ${source}`).toBe(true);
      }
    }
  });

  it("makes the provisioned dashboard Grafana's home", () => {
    const grafana = services.grafana;
    const home = grafana?.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
    const mount = grafana?.volumes?.find((v) => v.startsWith('./grafana/dashboards:'))?.split(':')[1] ?? '';
    expect(home).toBe(`${mount}/lossband.json`);
    expect(grafana?.environment?.GF_AUTH_ANONYMOUS_ENABLED).toBe('true');
    expect(grafana?.environment?.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
  });

  it('starts Alertmanager through the entrypoint that applies LOSSBAND_WEBHOOK_URL', () => {
    expect(services.alertmanager?.entrypoint).toEqual(['/bin/sh', '/etc/alertmanager/entrypoint.sh']);
    expect(services.alertmanager?.environment).toHaveProperty('LOSSBAND_WEBHOOK_URL');
  });
});
