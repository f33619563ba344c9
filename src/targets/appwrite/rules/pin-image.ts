import { eachService, scalar } from '../render/doc.js';
import { APPWRITE_IMAGE } from '../upstream/types.js';
import type { Rule } from './types.js';

// Upstream's file reads `${_APP_IMAGE:-appwrite/appwrite}:${_APP_VERSION:-latest}`: a missing or edited
// variable silently runs another release.
export const pinImage: Rule = {
  id: 'pin-image',
  what: "Appwrite's image is written as appwrite/appwrite:<release> instead of ${_APP_IMAGE}:${_APP_VERSION:-latest}",
  why: 'a missing _APP_VERSION means "latest": an unplanned major upgrade with no migration',
  keeps: 'the exact image the release table names',
  apply({ doc, answers }) {
    eachService(doc, (_name, svc) => {
      const image = scalar(svc.get('image') ?? '');
      if (/_APP_IMAGE|^(?:docker\.io\/)?appwrite\/appwrite(?:[:@]|$)/.test(image))
        svc.set('image', `${APPWRITE_IMAGE}:${answers.release}`);
    });
  },
};
