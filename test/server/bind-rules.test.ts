import { describe, expect, it } from 'vitest';
import { assertBindablePort, baseUrl, bindFailure } from '../../src/server/bind-rules.js';
import { UserError } from '../../src/core/user-error.js';
import { silentLogger } from './silent-logger.js';

describe('bind rules', () => {
  it('accepts ports 1-65535 and names any other value', () => {
    expect(() => assertBindablePort(1)).not.toThrow();
    expect(() => assertBindablePort(65535)).not.toThrow();
    for (const bad of [0, -1, 65536, 80.5, Number.NaN])
      expect(() => assertBindablePort(bad)).toThrow(`Invalid port: ${bad}`);
  });

  it('warns and returns undefined for a busy default port', () => {
    const log = silentLogger();
    expect(bindFailure('EADDRINUSE', { host: '127.0.0.1', port: 9464, portExplicit: false }, log)).toBeUndefined();
    expect(log.lines).toMatchObject([
      { level: 40, msg: 'port 9464 on 127.0.0.1 is busy; continuing without the metrics server' },
    ]);
  });

  it('throws a UserError for a busy chosen port or any other bind failure', () => {
    const log = silentLogger();
    expect(() => bindFailure('EADDRINUSE', { host: '0.0.0.0', port: 9000, portExplicit: true }, log)).toThrow(
      new UserError('port 9000 on 0.0.0.0 is already in use'),
    );
    expect(() => bindFailure('EACCES', { host: '127.0.0.1', port: 80, portExplicit: false }, log)).toThrow(
      new UserError('cannot listen on 127.0.0.1:80: EACCES'),
    );
  });

  it('brackets IPv6 hosts in URLs', () => {
    expect(baseUrl('127.0.0.1', 9464)).toBe('http://127.0.0.1:9464');
    expect(baseUrl('::1', 9464)).toBe('http://[::1]:9464');
  });
});
