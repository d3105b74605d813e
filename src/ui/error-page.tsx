import { Layout } from './layout.tsx';
import { href, type ViewContext } from './view-context.ts';

export function ErrorPage(props: { ctx: ViewContext; code: string }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.t('errors.title')}>
      <h1>{ctx.t('errors.title')}</h1>
      <p class="lead">{ctx.t(`errors.${props.code}`)}</p>
      <p>
        <a href={href(ctx, '/')}>{ctx.t('errors.back_home')}</a>
      </p>
    </Layout>
  );
}
