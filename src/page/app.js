/* global window, document, sessionStorage, EventSource, URLSearchParams, ResizeObserver, requestAnimationFrame, setTimeout, clearTimeout */
import { callApi, runPath } from './api.js';
import { createChart } from './chart.js';
import { createSeries } from './series.js';

/**
 * How often the run list (state, epoch, in-band share, σ of every run) refreshes. The selected
 * run's chart and per-epoch figures come from its stream; a change made on the page refreshes
 * at once. Each poll costs the browser a fetch (bench section 10).
 */
const POLL_MS = 5000;
/** Delay before reopening a stream the browser gave up on (a 404 or 503 answer). */
const REOPEN_MS = 5000;
/**
 * At most one redraw per this many ms. Epochs arrive in 250 ms batches, and each redraw of a
 * few thousand points costs the page's CPU, which a small machine shares with the training
 * (bench section 10 measures five open pages).
 */
const DRAW_EVERY_MS = 2000;
const TOKEN_KEY = 'lossband.token';

const $ = (selector) => document.querySelector(selector);
const fmt = (v) => (typeof v !== 'number' ? (v ?? '–') : Number.isInteger(v) ? String(v) : v.toPrecision(4));
const pct = (v) => (typeof v === 'number' ? `${(100 * v).toFixed(1)} %` : '–');

/** What the tests read (`window.__lossband`): the chart, its series and the stream's state. */
const live = {
  chart: null,
  series: null,
  run: null,
  instance: null,
  resets: 0,
  connection: 'idle',
  view: null,
  lastEvent: null,
};
window.__lossband = live;

let stream = null;
let reopenTimer = null;
let drawPending = false;
let lastDraw = 0;

function showError(message) {
  const el = $('#error');
  el.textContent = message;
  el.hidden = false;
}

function clearError() {
  $('#error').hidden = true;
  $('#error').textContent = '';
}

function setConnection(state) {
  live.connection = state;
  $('#connection').textContent = state;
  $('#connection').dataset.state = state;
}

function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  const wait = Math.max(0, lastDraw + DRAW_EVERY_MS - Date.now());
  setTimeout(
    () =>
      requestAnimationFrame(() => {
        drawPending = false;
        lastDraw = Date.now();
        if (live.chart !== null) live.chart.setData(live.series.data());
      }),
    wait,
  );
}

/** Reads `<epoch>:<instance>` from a message id, so a reopened stream can quote it. */
function noteId(id) {
  const instance = String(id).split(':')[1];
  if (instance) live.instance = instance;
}

function openStream(run) {
  closeStream();
  const query =
    live.series.lastEpoch > 0 && live.instance ? `?since=${live.series.lastEpoch}&instance=${live.instance}` : '';
  const source = new EventSource(`${runPath(run)}/events${query}`);
  stream = source;
  setConnection('connecting');
  source.addEventListener('open', () => setConnection('live'));
  // One message per batch of epochs (see docs/page.md): an array, in epoch order.
  source.addEventListener('epochs', (e) => {
    noteId(e.lastEventId);
    let added = false;
    for (const event of JSON.parse(e.data)) {
      if (live.series.add(event)) {
        live.lastEvent = event;
        added = true;
      }
    }
    if (added) scheduleDraw();
  });
  source.addEventListener('reset', (e) => {
    noteId(e.lastEventId);
    live.series.reset(JSON.parse(e.data).epoch);
    live.lastEvent = null;
    live.resets++;
    scheduleDraw();
  });
  source.addEventListener('error', () => {
    if (source.readyState !== EventSource.CLOSED) return setConnection('reconnecting');
    // The browser gives up on an HTTP error; try again later with our own position.
    setConnection('disconnected');
    reopenTimer = setTimeout(() => live.run === run && openStream(run), REOPEN_MS);
  });
}

function closeStream() {
  clearTimeout(reopenTimer);
  if (stream !== null) stream.close();
  stream = null;
}

function selectRun(run) {
  if (live.run === run) return;
  closeStream();
  if (live.chart !== null) live.chart.destroy();
  live.run = run;
  live.instance = null;
  live.series = createSeries();
  live.view = null;
  live.lastEvent = null;
  $('#run-panel').hidden = false; // first, so the chart can measure its width
  live.chart = createChart($('#chart'), live.series.data());
  $('#run-title').textContent = run;
  window.location.hash = `run=${encodeURIComponent(run)}`;
  openStream(run);
  refreshSummary();
  for (const row of document.querySelectorAll('#runs tbody tr'))
    row.classList.toggle('selected', row.dataset.run === run);
}

/** Sets a cell's text only when it changed: a poll that changes nothing costs no layout. */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** A row of the run list, made once per run; its cells are updated in place on each poll. */
function runRow(run) {
  const row = document.createElement('tr');
  row.dataset.run = run;
  const name = document.createElement('button');
  name.type = 'button';
  name.textContent = run;
  name.addEventListener('click', () => selectRun(run));
  const first = document.createElement('td');
  first.append(name);
  row.append(first);
  for (let i = 0; i < 5; i++) row.append(document.createElement('td'));
  return row;
}

function renderRuns(views) {
  const body = $('#runs tbody');
  const rows = new Map([...body.children].map((row) => [row.dataset.run, row]));
  views.forEach((v, i) => {
    const row = rows.get(v.run) ?? runRow(v.run);
    rows.delete(v.run);
    if (body.children[i] !== row) body.insertBefore(row, body.children[i] ?? null);
    row.classList.toggle('selected', v.run === live.run);
    const cells = row.children;
    setText(cells[1], String(v.state));
    cells[1].className = `state state-${v.state}`;
    setText(cells[2], String(v.epochs ? `${v.epoch} / ${v.epochs}` : v.epoch));
    setText(cells[3], pct(v.inBandFraction));
    setText(cells[4], v.bandStatus ?? '–');
    markBandStatus(cells[4], v.bandStatus);
    setText(cells[5], fmt(v.sigma));
  });
  for (const gone of rows.values()) gone.remove();
  $('#no-runs').hidden = views.length > 0;
}

/** What each band status means, as a tooltip (see `BandStatus` and `lossband_band_status`). */
const BAND_STATUS_HELP = {
  held: 'the loop holds the loss in the band',
  'not-held': 'not in the band yet, or lost it; the loop is still working',
  'unreachable-above': 'the loss stays above the band even at the least noise: lower the band or train longer',
  'unreachable-below': 'the loss stays below the band even at the most noise: raise the band or allow more noise',
};

/** Tags a cell with the run's band status, so the style and the tests can read it. */
function markBandStatus(el, status) {
  el.classList.add('band-status');
  if (el.dataset.status === (status ?? 'none')) return;
  el.dataset.status = status ?? 'none';
  el.title = BAND_STATUS_HELP[status] ?? 'no epoch yet';
}

/**
 * The summary figures: the run's view from the run list (`GET api/runs`) plus the last epoch
 * the stream brought, or the run's own last event (`GET api/runs/:run`) before it has.
 */
function renderSummary(detail, last) {
  const figures = [
    ['state', detail.state],
    ['epoch', detail.epochs ? `${last?.epoch ?? detail.epoch} / ${detail.epochs}` : (last?.epoch ?? detail.epoch)],
    ['band', `[${fmt(detail.band?.lo)}, ${fmt(detail.band?.hi)}]`],
    ['band status', last?.bandStatus ?? detail.bandStatus ?? '–'],
    ['in band', pct(detail.inBandFraction)],
    ['last loss', fmt(last?.loss ?? detail.lastLoss)],
    ['smoothed loss', fmt(last?.smoothedLoss)],
    ['val accuracy', pct(last?.valAccuracy)],
    ['loss jitter', fmt(last?.jitter)],
    ['σ', fmt(last?.sigma ?? detail.sigma)],
    ['K', fmt(last?.draws ?? detail.draws)],
    ['controller', detail.controller],
    ['backend', detail.backend],
  ];
  if (last?.bandTooNarrow === true) figures.push(['band too narrow', 'yes']);
  const dl = $('#summary');
  const keys = figures.map(([key]) => key);
  if ([...dl.querySelectorAll('dd')].map((dd) => dd.dataset.key).join('\n') !== keys.join('\n')) {
    dl.replaceChildren(
      ...keys.map((key) => {
        const pair = document.createElement('div');
        const dt = document.createElement('dt');
        dt.textContent = key;
        const dd = document.createElement('dd');
        dd.dataset.key = key;
        pair.append(dt, dd);
        return pair;
      }),
    );
  }
  const cells = dl.querySelectorAll('dd');
  figures.forEach(([key, value], i) => {
    setText(cells[i], String(value ?? '–'));
    if (key === 'band status') markBandStatus(cells[i], last?.bandStatus ?? detail.bandStatus);
  });
}

/** Renders the selected run's summary from what the page already has; fetches its detail only before the stream brought an epoch. */
async function refreshSummary() {
  if (live.run === null) return;
  const run = live.run;
  if (live.view !== null && live.lastEvent !== null) return renderSummary(live.view, live.lastEvent);
  try {
    const detail = await callApi('GET', runPath(run));
    if (live.run === run) renderSummary(live.view ?? detail, live.lastEvent ?? detail.lastEvent ?? null);
  } catch (err) {
    $('#poll-status').textContent = `summary: ${err.message}`;
  }
}

/** Refreshes the run list and the selected run's summary; selects a run when none is. */
async function refresh() {
  try {
    const views = await callApi('GET', 'api/runs');
    $('#poll-status').textContent = '';
    renderRuns(views);
    live.view = views.find((v) => v.run === live.run) ?? null;
    const wanted = new URLSearchParams(window.location.hash.slice(1)).get('run');
    if (live.run === null && views.length > 0) selectRun(views.some((v) => v.run === wanted) ? wanted : views[0].run);
    else await refreshSummary();
  } catch (err) {
    $('#poll-status').textContent = `run list: ${err.message}`;
  }
}

async function poll() {
  await refresh();
  setTimeout(poll, POLL_MS);
}

/** Sends a change with the token; shows the server's one-line refusal in #error. */
async function change(label, method, suffix, body) {
  if (live.run === null) return;
  try {
    await callApi(method, `${runPath(live.run)}/${suffix}`, { token: $('#token').value.trim(), body });
    clearError();
    $('#notice').textContent = `${label}: accepted`;
    await refresh();
  } catch (err) {
    $('#notice').textContent = '';
    showError(`${label}: ${err.message}`);
  }
}

function start() {
  const token = $('#token');
  token.value = sessionStorage.getItem(TOKEN_KEY) ?? '';
  token.addEventListener('input', () => sessionStorage.setItem(TOKEN_KEY, token.value.trim()));
  $('#band-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    change('band', 'PUT', 'band', { lo: Number(form.elements.lo.value), hi: Number(form.elements.hi.value) });
  });
  for (const button of document.querySelectorAll('#actions button')) {
    button.addEventListener('click', () => change(button.dataset.action, 'POST', button.dataset.action));
  }
  new ResizeObserver(() => live.chart?.setSize({ width: Math.max(320, $('#chart').clientWidth), height: 360 })).observe(
    $('#chart'),
  );
  poll();
}

start();
