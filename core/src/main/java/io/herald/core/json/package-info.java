/** JSON and timestamp helpers shared by every codec. */
package io.herald.core.json;
