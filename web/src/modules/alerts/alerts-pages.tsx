import type { ModulePages } from '../module-pages';
import { AlertDetailPage } from './alert-detail';
import { AlertsPage } from './alerts-page';

/** `''`: firing now, silences, timeline; `/<id>`: one alert with its history and delivery log. */
export const alertsPages: ModulePages = {
  render(rest) {
    const id = /^\/(\d+)/.exec(rest)?.[1];
    return id ? <AlertDetailPage id={Number(id)} key={id} /> : <AlertsPage />;
  },
};
