import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fetchMedia, isPublicAddress, MediaError, type MediaFetchOptions, type MediaRefusal } from './media.ts';

test('only public unicast addresses are public, in IPv4 and IPv6 (IPv4 inside IPv6 judged as IPv4)', () => {
  const refused = [
    '127.0.0.1', '127.255.255.254', '10.0.0.1', '10.255.1.2', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '100.64.0.1', '0.0.0.0', '0.1.2.3', '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255', '192.0.2.10', '198.51.100.7',
    '203.0.113.9', '198.18.0.1', '192.0.0.8',
    '::', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:192.168.0.1', '::127.0.0.1', 'fe80::1', 'fe80::1%eth0',
    'fc00::1', 'fd12:3456::1', 'ff02::1', 'ff0e::1', 'fec0::1', '2001:db8::1', '2001::1', '2001:0:4136:e378::1', '64:ff9b::7f00:1',
    '64:ff9b::a00:1', '2002:7f00:1::1', '2002:c0a8:101::1', '100::1', '3fff::1', 'not an address', '',
  ];
  for (const address of refused) assert.equal(isPublicAddress(address), false, address);
  const allowed = ['8.8.8.8', '93.184.216.34', '41.230.1.1', '172.32.0.1', '100.128.0.1', '2a00:1450:4006:80b::200e', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'];
  for (const address of allowed) assert.equal(isPublicAddress(address), true, address);
});

describe('fetching a media_url', () => {
  let server: http.Server;
  let port: number;
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
  const hits: string[] = [];

  before(async () => {
    server = http.createServer((request, response) => {
      hits.push(request.url ?? '');
      const url = new URL(request.url ?? '/', 'http://x');
      const redirect = (location: string) => {
        response.writeHead(302, { location });
        response.end();
      };
      switch (url.pathname) {
        case '/photo.jpg':
          response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpeg.length });
          response.end(jpeg);
          return;
        case '/to-loopback':
          return redirect(`http://127.0.0.1:${port}/photo.jpg`);
        case '/to-named-loopback':
          return redirect(`http://loopback.test:${port}/photo.jpg`);
        case '/to-ipv6-loopback':
          return redirect(`http://[::1]:${port}/photo.jpg`);
        case '/to-file':
          return redirect('file:///etc/passwd');
        case '/hop1':
          return redirect('/hop2');
        case '/hop2':
          return redirect(`http://photos.example.org:${port}/photo.jpg`);
        case '/hop-a':
          return redirect('/hop-b');
        case '/hop-b':
          return redirect('/hop-c');
        case '/hop-c':
          return redirect('/photo.jpg');
        case '/big':
          response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': 5000 });
          response.end(Buffer.alloc(5000));
          return;
        case '/big-chunked':
          response.writeHead(200, { 'content-type': 'image/jpeg' });
          for (let i = 0; i < 10; i += 1) response.write(Buffer.alloc(1000));
          response.end();
          return;
        case '/missing':
          response.writeHead(404);
          response.end();
          return;
        case '/never':
          return; // never answers
        default:
          response.writeHead(500);
          response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  // Real public addresses cannot be reached here: photos.example.org "resolves" to a public
  // address, and only the connection to that checked address is redirected to the local server.
  const PUBLIC_STAND_IN = '93.184.216.34';
  const options: MediaFetchOptions = {
    resolve: async (host) =>
      ({
        'photos.example.org': [PUBLIC_STAND_IN],
        'loopback.test': ['127.0.0.1'],
        'mixed.test': [PUBLIC_STAND_IN, '10.0.0.7'],
        'private6.test': ['fd00::5'],
        'mapped.test': ['::ffff:169.254.169.254'],
      })[host] ?? Promise.reject(new Error('ENOTFOUND')),
    dial: (address) => (address === PUBLIC_STAND_IN ? '127.0.0.1' : address),
    maxBytes: 4096,
    timeoutMs: 2000,
  };

  async function refusal(url: string, extra: MediaFetchOptions = {}): Promise<MediaRefusal> {
    try {
      await fetchMedia(url, { ...options, ...extra });
    } catch (error) {
      if (error instanceof MediaError) return error.reason;
      throw error;
    }
    throw new Error(`${url} was fetched`);
  }

  test('a public host is fetched, following up to two redirects', async () => {
    assert.deepEqual(await fetchMedia(`http://photos.example.org:${port}/photo.jpg`, options), jpeg);
    assert.deepEqual(await fetchMedia(`http://photos.example.org:${port}/hop1`, options), jpeg);
  });

  test('private, loopback, link-local and unique-local addresses are refused before any connection', async () => {
    const before = hits.length;
    assert.equal(await refusal(`http://127.0.0.1:${port}/photo.jpg`), 'private_address');
    assert.equal(await refusal(`http://[::1]:${port}/photo.jpg`), 'private_address');
    assert.equal(await refusal(`http://[::ffff:127.0.0.1]:${port}/photo.jpg`), 'private_address');
    assert.equal(await refusal('http://10.1.2.3/photo.jpg'), 'private_address');
    assert.equal(await refusal('http://169.254.169.254/latest/meta-data/'), 'private_address');
    assert.equal(await refusal('http://2130706433/photo.jpg'), 'private_address', 'decimal form of 127.0.0.1');
    assert.equal(await refusal('http://0x7f.1/photo.jpg'), 'private_address', 'hex shorthand of 127.0.0.1');
    assert.equal(await refusal(`http://loopback.test:${port}/photo.jpg`), 'private_address');
    assert.equal(await refusal('http://mixed.test/photo.jpg'), 'private_address', 'one private answer is enough');
    assert.equal(await refusal('http://private6.test/photo.jpg'), 'private_address');
    assert.equal(await refusal('http://mapped.test/photo.jpg'), 'private_address');
    assert.equal(hits.length, before, 'the local server was never contacted');
  });

  test('a redirect to a private address is checked like the first address, and refused', async () => {
    const photoHits = () => hits.filter((h) => h === '/photo.jpg').length;
    const before = photoHits();
    assert.equal(await refusal(`http://photos.example.org:${port}/to-loopback`), 'private_address');
    assert.equal(await refusal(`http://photos.example.org:${port}/to-named-loopback`), 'private_address');
    assert.equal(await refusal(`http://photos.example.org:${port}/to-ipv6-loopback`), 'private_address');
    assert.equal(await refusal(`http://photos.example.org:${port}/to-file`), 'scheme');
    assert.equal(photoHits(), before, 'the redirect target was never fetched');
  });

  test('three redirects are one too many', async () => {
    assert.equal(await refusal(`http://photos.example.org:${port}/hop-a`), 'too_many_redirects');
  });

  test('other schemes, credentials, unknown hosts, errors, size and time limits', async () => {
    assert.equal(await refusal('ftp://photos.example.org/photo.jpg'), 'scheme');
    assert.equal(await refusal('file:///etc/passwd'), 'scheme');
    assert.equal(await refusal('gopher://photos.example.org/'), 'scheme');
    assert.equal(await refusal('not a url'), 'invalid_url');
    assert.equal(await refusal(`http://user:secret@photos.example.org:${port}/photo.jpg`), 'credentials');
    assert.equal(await refusal('http://nowhere.test/photo.jpg'), 'unresolvable');
    assert.equal(await refusal(`http://photos.example.org:${port}/missing`), 'http_status');
    assert.equal(await refusal(`http://photos.example.org:${port}/big`), 'too_large');
    assert.equal(await refusal(`http://photos.example.org:${port}/big-chunked`), 'too_large');
    assert.equal(await refusal(`http://photos.example.org:${port}/never`, { timeoutMs: 200 }), 'timeout');
  });
});
