import {
  absoluteUriProblem,
  isJsonMediaType,
  mediaTypeEssence,
  mediaTypeProblem,
  timestampProblem,
  unicodeProblem,
  uriReferenceProblem,
} from './syntax';

describe('unicodeProblem', () => {
  it.each(['plain', 'café', '日本', '\u{1F600}', ''])('accepts %p', (text) => {
    expect(unicodeProblem(text)).toBeUndefined();
  });

  it.each([
    ['a\nb', 'control'],
    ['\u0000', 'control'],
    ['\u007f', 'control'],
    ['\u0085', 'control'],
    ['\ud800', 'surrogate'],
    ['x\udc00', 'surrogate'],
    ['\ufdd0', 'noncharacter'],
    ['\uffff', 'noncharacter'],
    ['\u{1fffe}', 'noncharacter'],
  ])('rejects %p (%s)', (text, reason) => {
    expect(unicodeProblem(text)).toContain(reason);
  });
});

describe('uriReferenceProblem', () => {
  it.each([
    'https://github.com/cloudevents',
    'mailto:cncf-wg-serverless@lists.cncf.io',
    'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66',
    '/cloudevents/spec/pull/123',
    '1-555-123-4567',
    '//host:8080/path?q=1#frag',
    'http://[2001:db8::1]:80/x',
    'a%20b',
  ])('accepts %p', (text) => {
    expect(uriReferenceProblem(text)).toBeUndefined();
  });

  it.each(['', 'has space', 'a%zz', 'x#a#b', '1ab:c', 'ünï', '/a[b]', 'http://[bad/x'])(
    'rejects %p',
    (text) => {
      expect(uriReferenceProblem(text)).toBeDefined();
    },
  );
});

describe('absoluteUriProblem', () => {
  it('needs a scheme and no fragment', () => {
    expect(absoluteUriProblem('urn:plafond:schema:usage.reported.v1')).toBeUndefined();
    expect(absoluteUriProblem('https://example.com/s.json')).toBeUndefined();
    expect(absoluteUriProblem('/relative')).toContain('scheme');
    expect(absoluteUriProblem('https://example.com/s.json#v1')).toContain('fragment');
  });
});

describe('timestampProblem', () => {
  it.each([
    '2018-04-05T17:31:00Z',
    '2024-02-29T23:59:60.123456789+01:00',
    '2025-12-31t00:00:00z',
    '2025-06-30T12:00:00-05:30',
  ])('accepts %p', (text) => {
    expect(timestampProblem(text)).toBeUndefined();
  });

  it.each([
    '2018-04-05',
    '2018-04-05 17:31:00Z',
    '2018-04-05T17:31:00',
    '2023-02-29T00:00:00Z',
    '2025-13-01T00:00:00Z',
    '2025-04-31T00:00:00Z',
    '2025-01-01T24:00:00Z',
    '2025-01-01T00:00:00+24:00',
    '2025-01-01T00:00:00.1234567890Z',
  ])('rejects %p', (text) => {
    expect(timestampProblem(text)).toBeDefined();
  });
});

describe('media types', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'application/cloudevents+json; charset=UTF-8',
    'text/plain;format="a b"',
    'application/vnd.apache.thrift.binary',
  ])('accepts %p', (text) => {
    expect(mediaTypeProblem(text)).toBeUndefined();
  });

  it.each(['json', 'application/', 'application/json;', 'a b/c'])('rejects %p', (text) => {
    expect(mediaTypeProblem(text)).toBeDefined();
  });

  it('tells JSON content apart as the JSON event format defines it', () => {
    expect(isJsonMediaType('application/json; charset=utf-8')).toBe(true);
    expect(isJsonMediaType('application/ld+json')).toBe(true);
    expect(isJsonMediaType('TEXT/JSON')).toBe(true);
    expect(isJsonMediaType('application/xml')).toBe(false);
    expect(isJsonMediaType('application/jsonx')).toBe(false);
    expect(mediaTypeEssence(' Application/JSON ; charset=utf-8')).toBe('application/json');
  });
});
