/**
 * The registry: the versioned catalog of entities, feature views and feature services. Open one with
 * {@link dev.featurestore.registry.Registries}; everything else public here is an interface or a value.
 */
package dev.featurestore.registry;
