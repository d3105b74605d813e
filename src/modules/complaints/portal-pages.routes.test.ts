// After filing: "already reported?" (follow instead, or send anyway with the photos kept),
// tracking by number, a complaint's public page and its photos, "me too", and feedback.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { signIn } from '../../../test/support/http.ts';
import { listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { setPhotosPublic } from './complaints.repository.ts';
import { type ComplaintsFixture, createComplaintsFixture, fileComplaint, nextPhone } from './complaints.test-support.ts';
import {
  buildPortalApp,
  complaintByTracking,
  complaintCount,
  jpegWithExif,
  type PortalApp,
  PortalClient,
  photoFilesOnDisk,
  photoRowsOf,
  smallPng,
  trackingFrom,
} from './portal.test-support.ts';
import { resolveComplaint } from './workflow.service.ts';

describeEachDatabase('complaints portal: tracking and following', (suite) => {
  let kef: ComplaintsFixture;
  let other: ComplaintsFixture;
  let portal: PortalApp;
  let neighbourhoodId: number;

  before(async () => {
    kef = await createComplaintsFixture(suite.db(), 'kef');
    other = await createComplaintsFixture(suite.db(), 'tab');
    portal = await buildPortalApp(suite.handle(), 'kef');
    neighbourhoodId = (await listNeighbourhoods(suite.db(), kef.municipality.id))[0]!.id;
  });
  after(async () => {
    await portal.app.close();
    fs.rmSync(portal.dataDir, { recursive: true, force: true });
  });

  async function fileThroughForm(client: PortalClient, fields: Record<string, string>, withPhoto = false) {
    const category = fields.category!;
    await client.get(`/fr/complaints/new?category=${category}`);
    const files = withPhoto ? [{ filename: 'a.jpg', type: 'image/jpeg', data: await jpegWithExif(640, 480) }] : [];
    return client.postMultipart('/fr/complaints/new', fields, files);
  }

  test('a similar open complaint in the same neighbourhood is shown before filing; "send mine" files it with the photo kept', async () => {
    const db = suite.db();
    const sweeping = String(kef.categories.sweeping!.id);
    const first = await fileThroughForm(new PortalClient(portal.app), { category: sweeping, description: 'Sable sur la chaussée', neighbourhood: String(neighbourhoodId) });
    const firstTracking = trackingFrom(first.headers.location);

    const client = new PortalClient(portal.app);
    const rows = await complaintCount(db, kef.municipality.id);
    const similar = await fileThroughForm(client, { category: sweeping, description: 'Rue jamais balayée', neighbourhood: String(neighbourhoodId), address: 'Rue 5' }, true);
    assert.equal(similar.statusCode, 200);
    assert.match(similar.body, /Ce problème est-il déjà signalé \?/);
    assert.match(similar.body, new RegExp(`href="/fr/complaints/${firstTracking}"`));
    assert.match(similar.body, /Sable sur la chaussée/);
    assert.match(similar.body, /1 photo est conservée avec votre réclamation\./);
    assert.equal(await complaintCount(db, kef.municipality.id), rows, 'nothing filed yet');
    const kept = /name="kept_photos" value="([^"]+)"/.exec(similar.body)?.[1];
    assert.ok(kept);
    // Typed values travel in hidden fields.
    assert.match(similar.body, /<input type="hidden" name="description" value="Rue jamais balayée"\/>/);

    // "Change my complaint" brings the form back with the typed text and the kept photo.
    const edit = await client.post('/fr/complaints/new', {
      category: sweeping,
      description: 'Rue jamais balayée',
      neighbourhood: String(neighbourhoodId),
      address: 'Rue 5',
      kept_photos: kept,
      step: 'edit',
    });
    assert.equal(edit.statusCode, 200);
    assert.match(edit.body, />Rue jamais balayée<\/textarea>/);
    assert.match(edit.body, /1 photo déjà envoyée est conservée avec ce formulaire\./);

    // The token is bound to this browser: another one cannot attach these files.
    const stranger = new PortalClient(portal.app);
    await stranger.get(`/fr/complaints/new?category=${sweeping}`);
    const stolen = await stranger.post('/fr/complaints/new', { category: sweeping, description: 'x', address: 'y', kept_photos: kept, similar_seen: 'yes' });
    assert.equal(stolen.statusCode, 400);
    assert.match(stolen.body, /Les photos envoyées plus tôt ne sont plus disponibles/);
    assert.equal(await complaintCount(db, kef.municipality.id), rows);

    const sent = await client.post('/fr/complaints/new', {
      category: sweeping,
      description: 'Rue jamais balayée',
      neighbourhood: String(neighbourhoodId),
      address: 'Rue 5',
      kept_photos: kept,
      similar_seen: 'yes',
    });
    assert.equal(sent.statusCode, 303, sent.body.slice(0, 500));
    const row = await complaintByTracking(db, trackingFrom(sent.headers.location));
    assert.equal(row.description, 'Rue jamais balayée');
    const photos = await photoRowsOf(db, row.id);
    assert.equal(photos.length, 1);
    assert.ok(fs.existsSync(`${portal.dataDir}/uploads/${photos[0]!.storage_key}`));

    // Sending the same page again cannot reuse (and then delete) the first complaint's files.
    const again = await client.post('/fr/complaints/new', { category: sweeping, description: 'Rue jamais balayée', neighbourhood: String(neighbourhoodId), kept_photos: kept, similar_seen: 'yes' });
    assert.equal(again.statusCode, 400);
    assert.ok(fs.existsSync(`${portal.dataDir}/uploads/${photos[0]!.storage_key}`));
  });

  test('"follow this one instead" counts a "me too", files nothing, and removes the kept photos', async () => {
    const db = suite.db();
    const category = kef.categories.landfill!;
    const point = { lat: 36.1755, lng: 8.7155 };
    const { trackingNumber } = await fileComplaint(db, kef, { categoryId: category.id, location: point, description: 'Dépôt de gravats' });
    const client = new PortalClient(portal.app);
    const phone = nextPhone();
    const filesBefore = photoFilesOnDisk(portal.dataDir, kef.municipality.id);
    const rows = await complaintCount(db, kef.municipality.id);
    const similar = await fileThroughForm(
      client,
      { category: String(category.id), description: 'Gravats', lat: String(point.lat + 0.0003), lng: String(point.lng), phone: phone.replace('+216', '') },
      true,
    );
    assert.equal(similar.statusCode, 200);
    assert.match(similar.body, /à 30 m/);
    assert.equal(photoFilesOnDisk(portal.dataDir, kef.municipality.id).length, filesBefore.length + 2, 'the photo is kept meanwhile');
    // The phone typed in the form is used for "me too".
    assert.match(similar.body, new RegExp(`<input type="hidden" name="contact" value="${phone.replace('+216', '')}"/>`));
    const kept = /name="kept_photos" value="([^"]+)"/.exec(similar.body)![1]!;
    const followed = await client.post(`/fr/complaints/${trackingNumber}/follow`, { contact: phone.replace('+216', ''), kept_photos: kept });
    assert.equal(followed.statusCode, 303);
    assert.equal(followed.headers.location, `/fr/complaints/${trackingNumber}`);
    assert.equal((await complaintByTracking(db, trackingNumber)).follower_count, 1);
    assert.equal(await complaintCount(db, kef.municipality.id), rows);
    assert.deepEqual(photoFilesOnDisk(portal.dataDir, kef.municipality.id), filesBefore, 'kept photos removed');
    const page = await client.get(followed.headers.location as string);
    assert.match(page.body, /Vous suivez maintenant cette réclamation/);
    assert.match(page.body, /1 personne s’y est jointe/);

    // Without a contact in the form, each "follow" form asks for one (ids kept unique on the page).
    const anonymous = new PortalClient(portal.app);
    const asking = await fileThroughForm(anonymous, { category: String(category.id), description: 'Gravats', lat: String(point.lat), lng: String(point.lng) });
    assert.equal(asking.statusCode, 200);
    assert.match(asking.body, new RegExp(`<input class="field__input" id="similar-${trackingNumber}-contact" name="contact"`));

    // Following twice changes nothing.
    await client.post(`/fr/complaints/${trackingNumber}/follow`, { contact: phone });
    assert.equal((await complaintByTracking(db, trackingNumber)).follower_count, 1);
  });

  test('"me too" from a complaint’s page needs a contact when signed out, and is the account when signed in', async () => {
    const db = suite.db();
    const { trackingNumber } = await fileComplaint(db, kef, { categoryId: kef.categories.roads!.id, location: { address: 'Route de Tunis' }, description: 'Nid-de-poule' });
    const client = new PortalClient(portal.app);
    await client.get(`/en/complaints/${trackingNumber}`);
    const missing = await client.post(`/en/complaints/${trackingNumber}/follow`, { contact: '' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /This field is required\./);
    assert.match(missing.body, /href="#field-contact"/);
    const wrong = await client.post(`/en/complaints/${trackingNumber}/follow`, { contact: '12' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /value="12"/);
    const forged = await client.post(`/en/complaints/${trackingNumber}/follow`, { contact: nextPhone(), _csrf: 'x.y' });
    assert.equal(forged.statusCode, 403);
    assert.equal((await complaintByTracking(db, trackingNumber)).follower_count, 0);

    const citizen = new PortalClient(portal.app);
    await signIn(citizen, kef.citizen.user);
    const page = await citizen.get(`/en/complaints/${trackingNumber}`);
    assert.doesNotMatch(page.body, /name="contact"/);
    const followed = await citizen.post(`/en/complaints/${trackingNumber}/follow`, {});
    assert.equal(followed.statusCode, 303);
    assert.equal((await complaintByTracking(db, trackingNumber)).follower_count, 1);
  });

  test('tracking: typed loosely, unknown, or not a number at all', async () => {
    const db = suite.db();
    const { trackingNumber } = await fileComplaint(db, kef, { location: { address: 'Place de la Kasbah' } });
    const client = new PortalClient(portal.app);
    const form = await client.get('/ar/complaints/track');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<input[^>]*name="number"[^>]*dir="ltr"/);
    const sequence = Number(trackingNumber.split('-')[2]);
    const typed = `kef ${trackingNumber.split('-')[1]} ${String(sequence).replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)))}`;
    const found = await client.get(`/ar/complaints/track?number=${encodeURIComponent(typed)}`);
    assert.equal(found.statusCode, 303);
    assert.equal(found.headers.location, `/ar/complaints/${trackingNumber}`);
    const unknown = await client.get('/fr/complaints/track?number=KEF-2020-999999');
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.body, /Aucune réclamation ne porte ce numéro/);
    assert.match(unknown.body, /value="KEF-2020-999999"/);
    const invalid = await client.get('/fr/complaints/track?number=hello');
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /Ce n’est pas un numéro de suivi/);
    // Another municipality's number is not found here.
    const foreign = await fileComplaint(db, other, { location: { address: 'x' } });
    const elsewhere = await client.get(`/fr/complaints/track?number=${foreign.trackingNumber}`);
    assert.equal(elsewhere.statusCode, 404);
    assert.equal((await client.get(`/fr/complaints/${foreign.trackingNumber}`)).statusCode, 404);
    // A hand-typed address lands on the canonical one.
    const loose = await client.get(`/fr/complaints/${trackingNumber.toLowerCase()}`);
    assert.equal(loose.statusCode, 301);
    assert.equal(loose.headers.location, `/fr/complaints/${trackingNumber}`);
  });

  test('a complaint’s page: status, category, text isolated, public photos only, no personal data', async () => {
    const db = suite.db();
    const client = new PortalClient(portal.app);
    const phone = nextPhone();
    const filed = await fileThroughForm(
      client,
      { category: String(kef.categories.green_spaces!.id), description: 'حديقة مهملة', address: 'Jardin public', phone: phone.replace('+216', ''), name: 'Amal' },
      true,
    );
    const tracking = trackingFrom(filed.headers.location);
    const page = await new PortalClient(portal.app).get(`/ar/complaints/${tracking}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<span class="status-badge status-badge--received">وردت<\/span>/);
    assert.match(page.body, /المساحات الخضراء/);
    assert.match(page.body, /<bdi class="typed-text">حديقة مهملة<\/bdi>/);
    assert.doesNotMatch(page.body, new RegExp(phone.slice(4)));
    assert.doesNotMatch(page.body, /Amal/);
    const thumb = /<img src="(\/media\/complaints\/[^"]+\.thumb\.jpg)"/.exec(page.body)?.[1];
    const full = /<a href="(\/media\/complaints\/[^"]+\.jpg)"><img/.exec(page.body)?.[1];
    assert.ok(thumb && full);
    const image = await client.get(thumb);
    assert.equal(image.statusCode, 200);
    assert.equal(image.headers['content-type'], 'image/jpeg');
    assert.equal((await client.get(full)).statusCode, 200);
    // A name that is not one of this complaint's photos, or a path trick, is not served.
    assert.equal((await client.get(`/media/complaints/${tracking}/aaaaaaaaaaaaaaaaaaaa.jpg`)).statusCode, 404);
    assert.equal((await client.get(`/media/complaints/${tracking}/..%2F..%2Fsecret.jpg`)).statusCode, 404);
    // Hidden by staff: gone from the page and from the media route.
    const row = await complaintByTracking(db, tracking);
    const photos = await photoRowsOf(db, row.id);
    await setPhotosPublic(db, kef.municipality.id, row.id, photos.map((p) => p.id), false);
    assert.equal((await client.get(thumb)).statusCode, 404);
    assert.doesNotMatch((await client.get(`/ar/complaints/${tracking}`)).body, /\/media\/complaints\//);
  });

  test('a sensitive category: no exact place and no photos in public', async () => {
    const db = suite.db();
    const category = kef.categories.unauthorised_building!;
    const client = new PortalClient(portal.app);
    await client.get(`/en/complaints/new?category=${category.id}`);
    const filed = await client.postMultipart(
      '/en/complaints/new',
      { category: String(category.id), description: 'A fourth floor going up', address: '12 Rue de la République', lat: '36.17234', lng: '8.70456' },
      [{ filename: 'b.png', type: 'image/png', data: await smallPng() }],
    );
    assert.equal(filed.statusCode, 303, filed.body.slice(0, 400));
    const tracking = trackingFrom(filed.headers.location);
    const row = await complaintByTracking(db, tracking);
    assert.equal((await photoRowsOf(db, row.id))[0]?.public, 0);
    const page = await client.get(`/en/complaints/${tracking}`);
    assert.doesNotMatch(page.body, /République/);
    assert.doesNotMatch(page.body, /\/media\/complaints\//);
    assert.match(page.body, /approximate \(within 500 m\)/);
  });

  test('feedback after resolution: checked against the contact, "yes" closes, "no" reopens', async () => {
    const db = suite.db();
    const phone = nextPhone();
    const resolve = async () => {
      const { complaint } = await fileComplaint(db, kef, { contact: { phone }, location: { address: 'Cité Eddir' } });
      await resolveComplaint(db, { actor: kef.officer.actor, municipalityId: kef.municipality.id, complaintId: complaint.id, version: complaint.version, reply: 'Lampe remplacée' });
      return complaint.tracking_number;
    };
    const closing = await resolve();
    const client = new PortalClient(portal.app);
    const page = await client.get(`/fr/complaints/${closing}`);
    assert.match(page.body, /Le problème est-il réglé \?/);
    assert.match(page.body, /Lampe remplacée/);

    const missingAnswer = await client.post(`/fr/complaints/${closing}/feedback`, { contact: phone });
    assert.equal(missingAnswer.statusCode, 400);
    assert.match(missingAnswer.body, /Répondez par oui ou par non\./);
    const stranger = await client.post(`/fr/complaints/${closing}/feedback`, { resolved: 'yes', satisfaction: '5', contact: nextPhone(), comment: 'Merci' });
    assert.equal(stranger.statusCode, 400);
    assert.match(stranger.body, /Seule la personne|déposé|suit/);
    assert.match(stranger.body, />Merci<\/textarea>/);
    assert.equal((await complaintByTracking(db, closing)).status, 'resolved');

    const yes = await client.post(`/fr/complaints/${closing}/feedback`, { resolved: 'yes', satisfaction: '4', contact: phone, comment: 'Merci' });
    assert.equal(yes.statusCode, 303);
    assert.equal((await complaintByTracking(db, closing)).status, 'closed');
    const after = await client.get(`/fr/complaints/${closing}`);
    assert.match(after.body, /Merci, votre avis est enregistré\./);
    assert.match(after.body, /satisfaction : 4 sur 5/);
    assert.doesNotMatch(after.body, /name="resolved"/);

    const reopening = await resolve();
    const no = await client.post(`/fr/complaints/${reopening}/feedback`, { resolved: 'no', satisfaction: '', contact: `+216 ${phone.slice(4, 6)} ${phone.slice(6, 9)} ${phone.slice(9)}` });
    assert.equal(no.statusCode, 303);
    assert.notEqual((await complaintByTracking(db, reopening)).status, 'resolved');
    assert.match((await client.get(`/fr/complaints/${reopening}`)).body, /La réclamation est rouverte/);
  });

  test('the landing page leads to the form and the tracking form', async () => {
    const page = await new PortalClient(portal.app).get('/fr/complaints');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /href="\/fr\/complaints\/new"/);
    assert.match(page.body, /<form method="get" action="\/fr\/complaints\/track"/);
    for (const path of ['list', 'map', 'statistics']) assert.match(page.body, new RegExp(`href="/fr/complaints/${path}"`));
    const home = await new PortalClient(portal.app).get('/fr/');
    assert.match(home.body, /href="\/fr\/complaints"/);
  });
});
