/** The registry's gRPC service, {@link dev.featurestore.registry.grpc.RegistryGrpcService}. */
package dev.featurestore.registry.grpc;
