/**
 * The feature store's shared vocabulary: value types ({@link dev.featurestore.api.ValueType}), definitions
 * ({@code definition}), the exception hierarchy ({@code error}) and the conversions to the wire protocol
 * ({@code proto}). Depends on no storage or serving library.
 */
package dev.featurestore.api;
