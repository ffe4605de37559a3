// The compose stack's default alert receiver: prints one JSON line per Alertmanager webhook
// delivery, so `docker compose logs -f webhook-log` shows what would have paged someone.
// Plain Node.js, no dependencies: it runs in the stock node image.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 9095);
const MAX_BODY = 1_000_000;

createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(req.url === '/healthz' ? 200 : 405, { 'content-type': 'text/plain' }).end();
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => {
    if (body.length < MAX_BODY) body += chunk;
  });
  req.on('end', () => {
    try {
      const message = JSON.parse(body);
      for (const alert of message.alerts ?? []) {
        console.log(
          JSON.stringify({
            time: new Date().toISOString(),
            status: alert.status,
            alertname: alert.labels?.alertname,
            severity: alert.labels?.severity,
            run: alert.labels?.run,
            instance: alert.labels?.instance,
            summary: alert.annotations?.summary,
          }),
        );
      }
      res.writeHead(200).end();
    } catch {
      res.writeHead(400).end();
    }
  });
}).listen(port, '0.0.0.0', () => console.log(`webhook-log listening on :${port}`));

process.on('SIGTERM', () => process.exit(0));
