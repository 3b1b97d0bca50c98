import { Link } from '../app/router.tsx';
import { PageHeader } from '../components/Layout.tsx';
import { useI18n } from '../i18n/index.tsx';

export function NotFound({ forbidden }: { forbidden?: boolean }) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={forbidden ? t('state.forbidden') : t('state.notFound')} />
      <p>{forbidden ? null : t('state.notFoundText')}</p>
      <p>
        <Link to="/">{t('state.backHome')}</Link>
      </p>
    </>
  );
}
