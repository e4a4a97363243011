/**
 * Helpers shared by the packages of the offline store. Internal: no compatibility promise, not for users.
 */
package dev.featurestore.offline.internal;
