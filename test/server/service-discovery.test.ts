import { describe, expect, it } from 'vitest';
import { createServiceDiscovery, parseHostPort } from '../../src/server/service-discovery.js';
import { INITIAL_STATE } from '../../src/server/server-state.js';

describe('parseHostPort', () => {
  it.each([
    'trainer-0.lossband.svc.cluster.local:9464',
    'lossband_trainer:9464',
    'localhost',
    '127.0.0.1:1',
    '[::1]:65535',
    '[fe80::1]:9464',
    'example.com.:80',
  ])('accepts %s', (value) => expect(parseHostPort(value)).toBe(value));

  it.each([
    '',
    ':9464',
    'host:0',
    'host:65536',
    'host:09464',
    'host:',
    'host:port',
    '::1',
    '[::1',
    '[not-ip]:80',
    'evil.example/path',
    'a b:80',
    'user@host:80',
    '-lead.example',
    'trail-.example',
    'a..b',
    `${'a'.repeat(64)}.example`,
    'host:80:80',
    'h\u00e9te:80',
  ])('refuses %j', (value) => expect(parseHostPort(value)).toBeUndefined());
});

describe('createServiceDiscovery', () => {
  it('refuses an invalid advertise address at construction, naming it', () => {
    expect(() => createServiceDiscovery({ state: () => INITIAL_STATE, advertise: 'http://x:1' })).toThrow(
      'Invalid advertise address: "http://x:1" (expected host:port)',
    );
  });
});
