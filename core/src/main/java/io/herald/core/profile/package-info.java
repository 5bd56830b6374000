/** Protocol profiles: one file per seed document, each a codec plus its promised behaviours. */
package io.herald.core.profile;
