/**
 * The built-in inference endpoint: {@link dev.featurestore.online.inference.Predictor} fetches a model's features
 * from the online store and scores them with ONNX Runtime, with experiments and shadow models;
 * {@link dev.featurestore.online.inference.OnnxModels} writes the small ONNX models the project's tests, quickstart
 * and benchmarks serve. Everything else here is package-private.
 */
package dev.featurestore.online.inference;
