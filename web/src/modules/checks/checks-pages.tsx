import type { ModulePages } from '../module-pages';
import { CheckPage } from './check-page';
import { ChecksPage } from './checks-page';

/** `''`: every check with its last run; `/<name>`: one check's trend, findings, repair and journal. */
export const checksPages: ModulePages = {
  render(rest) {
    const name = /^\/([^/?&]+)/.exec(rest)?.[1];
    return name ? <CheckPage name={decodeURIComponent(name)} key={name} /> : <ChecksPage />;
  },
};
