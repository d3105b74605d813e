// Every accounts page: sign-up, login and logout, forgotten password, the account itself, and
// the privacy notice.
import type { FastifyInstance } from 'fastify';
import { sendPage, viewContext } from '../../http/render.ts';
import { registerAccountPageRoutes } from './account.routes.ts';
import { registerLoginRoutes } from './login.routes.ts';
import { registerPasswordRoutes } from './password.routes.ts';
import { PrivacyPage } from './privacy.views.tsx';
import { registerSignupRoutes } from './signup.routes.ts';

export function registerAccountRoutes(app: FastifyInstance): void {
  registerSignupRoutes(app);
  registerLoginRoutes(app);
  registerPasswordRoutes(app);
  registerAccountPageRoutes(app);
  app.get('/:locale/privacy', async (request, reply) =>
    sendPage(reply, PrivacyPage, {
      ctx: viewContext(request),
      model: { sessionDays: app.deps.config.sessionDays, contactEmail: request.municipality.contact_email },
    }),
  );
}
