package dev.featurestore.online.inference;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Model;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model version's ONNX session, the element type of each of its graph inputs, and the runs using it. A session
 * is closed once it is retired (its model left the definitions, or the runtime closed) and no run holds it, so a
 * run never sees its session closed underneath it. Thread-safe.
 */
final class LoadedModel {
  private static final Logger LOG = LoggerFactory.getLogger(LoadedModel.class);

  final Model model;
  final OrtSession session;
  final Map<String, TensorType> tensorTypes;
  private volatile InputLayout layout;
  private int runs;
  private boolean retired;
  private boolean closed;

  LoadedModel(Model model, OrtSession session, Map<String, TensorType> tensorTypes) {
    this.model = model;
    this.session = session;
    this.tensorTypes = Map.copyOf(tensorTypes);
  }

  /** How the model is fed under {@code definitions}; worked out again only when the definitions change. */
  InputLayout layout(Definitions definitions) {
    InputLayout known = layout;
    if (known == null || known.definitions != definitions) {
      known = new InputLayout(model, definitions, tensorTypes);
      layout = known;
    }
    return known;
  }

  /** Registers a run; false when the session is retired, and must not be used. */
  synchronized boolean acquire() {
    if (retired) {
      return false;
    }
    runs++;
    return true;
  }

  /** Ends a run registered by {@link #acquire}; the last run of a retired session closes it. */
  synchronized void release() {
    runs--;
    if (retired && runs == 0) {
      closeSession();
    }
  }

  /** No further runs: closes the session now, or when the last running one ends. Idempotent. */
  synchronized void retire() {
    retired = true;
    if (runs == 0) {
      closeSession();
    }
  }

  synchronized boolean isClosed() {
    return closed;
  }

  private void closeSession() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      session.close();
      LOG.info("Closed model {}@{}", model.name(), model.version());
    } catch (OrtException e) {
      LOG.warn("Cannot close the ONNX session of model {}@{}: {}", model.name(), model.version(), e.getMessage());
    }
  }
}
