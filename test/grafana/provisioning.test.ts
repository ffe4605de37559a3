import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildDashboard } from '../../grafana/build-dashboard.js';
import { ROOT } from '../prometheus/promql-sources.js';

const read = (path: string): unknown => parseYaml(readFileSync(join(ROOT, path), 'utf8'));

describe('grafana/provisioning', () => {
  it('provisions the stack Prometheus as the default data source, with the uid the dashboard selects', () => {
    const { datasources } = read('grafana/provisioning/datasources/prometheus.yaml') as {
      datasources: Array<Record<string, unknown>>;
    };
    expect(datasources).toHaveLength(1);
    expect(datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true });
    const dashboard = buildDashboard() as unknown as {
      templating: { list: Array<{ name: string; current?: { value: string } }> };
    };
    const variable = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(variable?.current?.value).toBe(datasources[0]?.uid);
  });

  it('loads dashboards from the directory docker-compose.yml mounts', () => {
    const { providers } = read('grafana/provisioning/dashboards/lossband.yaml') as {
      providers: Array<{ type: string; options: { path: string } }>;
    };
    const compose = read('docker-compose.yml') as { services: { grafana: { volumes: string[] } } };
    const mount = compose.services.grafana.volumes.find((v) => v.startsWith('./grafana/dashboards:'))?.split(':')[1];
    expect(providers[0]).toMatchObject({ type: 'file', options: { path: mount } });
  });
});
