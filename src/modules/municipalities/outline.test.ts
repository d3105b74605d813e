import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_OUTLINE_CHARS, parseOutline } from './outline.ts';

const KEF = { lat: 36.18, lng: 8.71 };
const square = [
  [8.70, 36.17],
  [8.72, 36.17],
  [8.72, 36.19],
  [8.70, 36.19],
  [8.70, 36.17],
];

describe('neighbourhood outlines (GeoJSON)', () => {
  test('a Polygon Feature is accepted and reduced to its geometry', () => {
    const text = JSON.stringify({ type: 'Feature', properties: { owner: 'someone' }, geometry: { type: 'Polygon', coordinates: [square] } });
    const result = parseOutline(text, KEF);
    assert.deepEqual(result, { ok: true, geometry: JSON.stringify({ type: 'Polygon', coordinates: [square] }) });
  });

  test('a bare MultiPolygon, and a collection of exactly one feature, are accepted', () => {
    assert.equal(parseOutline(JSON.stringify({ type: 'MultiPolygon', coordinates: [[square], [square]] }), KEF).ok, true);
    const collection = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [square] } }] };
    assert.equal(parseOutline(JSON.stringify(collection), KEF).ok, true);
  });

  test('text that is not JSON', () => {
    assert.deepEqual(parseOutline('{"type": "Polygon",', KEF), { ok: false, problem: 'not_json' });
  });

  test('geometries that are not areas', () => {
    for (const value of [
      { type: 'Point', coordinates: [8.71, 36.18] },
      { type: 'LineString', coordinates: square },
      { type: 'Feature', geometry: null },
      { type: 'FeatureCollection', features: [] },
      [square],
      'Polygon',
    ]) {
      assert.deepEqual(parseOutline(JSON.stringify(value), KEF), { ok: false, problem: 'wrong_type' }, JSON.stringify(value));
    }
  });

  test('malformed rings and positions', () => {
    const cases = [
      [square.slice(0, 3)], // fewer than four positions
      [square.slice(0, 4)], // not closed
      [[...square.slice(0, 4), ['8.70', '36.17']]], // text instead of numbers
      [[[8.7, 36.17, 1, 2], ...square.slice(1)]], // four numbers in a position
      [[[200, 36.17], ...square.slice(1, 4), [200, 36.17]]], // longitude out of range
      [], // no ring at all
    ];
    for (const coordinates of cases) {
      assert.deepEqual(parseOutline(JSON.stringify({ type: 'Polygon', coordinates }), KEF), { ok: false, problem: 'bad_coordinates' }, JSON.stringify(coordinates));
    }
  });

  test('swapped latitude and longitude put the outline far from the municipality', () => {
    const swapped = square.map(([lng, lat]) => [lat, lng]);
    assert.deepEqual(parseOutline(JSON.stringify({ type: 'Polygon', coordinates: [swapped] }), KEF), { ok: false, problem: 'far_away' });
  });

  test('an outline longer than the limit is refused before parsing', () => {
    assert.deepEqual(parseOutline(' '.repeat(MAX_OUTLINE_CHARS + 1), KEF), { ok: false, problem: 'too_large' });
  });
});

test('without a centre, only the shape is checked', () => {
  const swapped = square.map(([lng, lat]) => [lat, lng]);
  assert.equal(parseOutline(JSON.stringify({ type: 'Polygon', coordinates: [swapped] })).ok, true);
  assert.deepEqual(parseOutline('{"type":"Point","coordinates":[1,2]}'), { ok: false, problem: 'wrong_type' });
});
