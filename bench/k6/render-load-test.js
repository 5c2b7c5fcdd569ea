// k6 load test for POST /render: the same profile as `cg3 load` (loopback only).
//
//   k6 run bench/k6/render-load-test.js
//   BASE_URL=http://127.0.0.1:8001 MIXED=1 MAX_REQUESTS=20000 k6 run bench/k6/render-load-test.js
//
// Virtual users ramp 0 -> 40 over 10 s, hold 20 s, ramp down over 10 s; each sends a render,
// checks the answer and sleeps 0.2 s. MIXED=1 cycles through the 120 public parity cats
// (CASES overrides their path, relative to this file) instead of the SingleColour WHITE cat.
// The run stops by itself at the end of the stages, or at MAX_REQUESTS iterations.

import http from 'k6/http';
import exec from 'k6/execution';
import { check, sleep } from 'k6';
import { Counter } from 'k6/metrics';
import { SharedArray } from 'k6/data';

const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8001').replace(/\/+$/, '');
const MAX_REQUESTS = parseInt(__ENV.MAX_REQUESTS || '100000', 10);
const THINK_SECONDS = 0.2;

// Load traffic goes to loopback only: refuse any other host before the test starts.
function requireLoopback(url) {
  const match = /^http:\/\/(\[[^\]]+\]|[^/:]+)(?::\d+)?(?:\/.*)?$/i.exec(url);
  if (!match) {
    throw new Error(`BASE_URL must look like http://127.0.0.1:8001, got ${url}`);
  }
  const host = match[1].toLowerCase();
  const ipv4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  const loopback =
    host === 'localhost' ||
    host === '[::1]' ||
    (ipv4 !== null && ipv4.slice(1).every((octet) => Number(octet) <= 255));
  if (!loopback) {
    throw new Error(
      `refusing to send load to ${host}: load traffic goes to loopback only ` +
        '(127.0.0.0/8, localhost or [::1])',
    );
  }
}
requireLoopback(BASE_URL);

const SINGLE_COLOUR_WHITE = {
  payload: {
    spriteNumber: 8,
    params: { peltName: 'SingleColour', colour: 'WHITE', eyeColour: 'YELLOW', skinColour: 'PINK' },
  },
};

const bodies = new SharedArray('render bodies', function () {
  if (!__ENV.MIXED || __ENV.MIXED === '0') {
    return [JSON.stringify(SINGLE_COLOUR_WHITE)];
  }
  const path = __ENV.CASES || '../../tests/data/legacy-public/cases.json';
  return JSON.parse(open(path)).map((item) => JSON.stringify({ payload: { params: item.params } }));
});

const rejected = new Counter('rejected_503');

export const options = {
  scenarios: {
    render: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '10s', target: 40 },
        { duration: '20s', target: 40 },
        { duration: '10s', target: 0 },
      ],
      gracefulRampDown: '5s',
      gracefulStop: '10s',
    },
  },
  thresholds: {
    checks: ['rate>0.99'],
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<500', 'p(99)<1000'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

const params = {
  headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
  tags: { name: 'POST /render' },
  timeout: '30s',
};

export default function () {
  const iteration = exec.scenario.iterationInTest;
  if (iteration >= MAX_REQUESTS) {
    exec.test.abort(`request cap reached (MAX_REQUESTS=${MAX_REQUESTS})`);
    return;
  }
  const body = bodies[iteration % bodies.length];
  const response = http.post(`${BASE_URL}/render`, body, params);
  if (response.status === 503) {
    rejected.add(1);
  }
  check(response, {
    'status is 200': (r) => r.status === 200,
    'answer holds a PNG data URL': (r) =>
      r.status === 200 && typeof r.body === 'string' && r.body.includes('"data:image/png;base64,'),
  });
  sleep(THINK_SECONDS);
}
