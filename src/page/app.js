/* global window, document, sessionStorage, EventSource, URLSearchParams, ResizeObserver, requestAnimationFrame, setTimeout, clearTimeout */
import { callApi, runPath } from './api.js';
import { createChart } from './chart.js';
import { createSeries } from './series.js';

/** How often the run list and the summary refresh. */
const POLL_MS = 2000;
/** Delay before reopening a stream the browser gave up on (a 404 or 503 answer). */
const REOPEN_MS = 5000;
/** At most one redraw per this many ms: epochs arrive in 250 ms batches, and each redraw costs the page's CPU (shared with training on small machines). */
const DRAW_EVERY_MS = 500;
const TOKEN_KEY = 'lossband.token';

const $ = (selector) => document.querySelector(selector);
const fmt = (v) => (typeof v !== 'number' ? (v ?? '–') : Number.isInteger(v) ? String(v) : v.toPrecision(4));
const pct = (v) => (typeof v === 'number' ? `${(100 * v).toFixed(1)} %` : '–');

/** What the tests read (`window.__lossband`): the chart, its series and the stream's state. */
const live = { chart: null, series: null, run: null, instance: null, resets: 0, connection: 'idle' };
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
  source.addEventListener('epoch', (e) => {
    noteId(e.lastEventId);
    if (live.series.add(JSON.parse(e.data))) scheduleDraw();
  });
  source.addEventListener('reset', (e) => {
    noteId(e.lastEventId);
    live.series.reset(JSON.parse(e.data).epoch);
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
  $('#run-panel').hidden = false; // first, so the chart can measure its width
  live.chart = createChart($('#chart'), live.series.data());
  $('#run-title').textContent = run;
  window.location.hash = `run=${encodeURIComponent(run)}`;
  openStream(run);
  refreshSummary();
  for (const row of document.querySelectorAll('#runs tbody tr'))
    row.classList.toggle('selected', row.dataset.run === run);
}

function renderRuns(views) {
  const body = $('#runs tbody');
  body.replaceChildren();
  for (const v of views) {
    const row = document.createElement('tr');
    row.dataset.run = v.run;
    row.classList.toggle('selected', v.run === live.run);
    const name = document.createElement('button');
    name.type = 'button';
    name.textContent = v.run;
    name.addEventListener('click', () => selectRun(v.run));
    const cells = [
      name,
      v.state,
      v.epochs ? `${v.epoch} / ${v.epochs}` : v.epoch,
      pct(v.inBandFraction),
      v.bandStatus ?? '–',
      fmt(v.sigma),
    ];
    for (const c of cells) {
      const td = document.createElement('td');
      if (typeof c === 'object') td.append(c);
      else td.textContent = String(c);
      row.append(td);
    }
    row.children[1].className = `state state-${v.state}`;
    markBandStatus(row.children[4], v.bandStatus);
    body.append(row);
  }
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
  el.dataset.status = status ?? 'none';
  el.title = BAND_STATUS_HELP[status] ?? 'no epoch yet';
}

/** The summary figures: the run's view plus its last epoch's event (`GET api/runs/:run`). */
function renderSummary(detail) {
  const last = detail.lastEvent ?? null;
  const figures = [
    ['state', detail.state],
    ['epoch', detail.epochs ? `${detail.epoch} / ${detail.epochs}` : detail.epoch],
    ['band', `[${fmt(detail.band?.lo)}, ${fmt(detail.band?.hi)}]`],
    ['band status', detail.bandStatus ?? last?.bandStatus ?? '–'],
    ['in band', pct(detail.inBandFraction)],
    ['last loss', fmt(detail.lastLoss)],
    ['smoothed loss', fmt(last?.smoothedLoss)],
    ['val accuracy', pct(last?.valAccuracy)],
    ['loss jitter', fmt(last?.jitter)],
    ['σ', fmt(detail.sigma)],
    ['K', fmt(detail.draws)],
    ['controller', detail.controller],
    ['backend', detail.backend],
  ];
  if (last?.bandTooNarrow === true) figures.push(['band too narrow', 'yes']);
  const dl = $('#summary');
  dl.replaceChildren();
  for (const [key, value] of figures) {
    const pair = document.createElement('div');
    const dt = document.createElement('dt');
    dt.textContent = key;
    const dd = document.createElement('dd');
    dd.textContent = String(value ?? '–');
    dd.dataset.key = key;
    if (key === 'band status') markBandStatus(dd, detail.bandStatus ?? last?.bandStatus);
    pair.append(dt, dd);
    dl.append(pair);
  }
}

async function refreshSummary() {
  if (live.run === null) return;
  const run = live.run;
  try {
    const detail = await callApi('GET', runPath(run));
    if (live.run === run) renderSummary(detail);
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
