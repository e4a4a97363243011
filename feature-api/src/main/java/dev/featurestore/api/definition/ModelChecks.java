package dev.featurestore.api.definition;

import dev.featurestore.api.error.InvalidRequestException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The consistency rules of models and experiments against the rest of a set of definitions. */
final class ModelChecks {
  private ModelChecks() {}

  /** @param definitions the entities, views and services the models and experiments are checked against */
  static void check(Definitions definitions, List<Model> models, List<Experiment> experimentList) {
    Map<ModelVersion, Model> byId = new HashMap<>();
    for (Model model : models) {
      if (byId.put(model.id(), model) != null) {
        throw new InvalidRequestException("Cannot define model '" + model.name() + "' version " + model.version()
            + " twice");
      }
      checkInputs(definitions, model);
    }
    Set<String> experiments = new HashSet<>();
    for (Experiment experiment : experimentList) {
      if (!experiments.add(experiment.name())) {
        throw new InvalidRequestException("Cannot define experiment '" + experiment.name() + "' twice");
      }
      checkExperiment(definitions, byId, experiment);
    }
  }

  private static void checkInputs(Definitions definitions, Model model) {
    String what = "model '" + model.name() + "' version " + model.version();
    FeatureService service = definitions.service(model.featureService())
        .orElseThrow(() -> new InvalidRequestException("Cannot define " + what + ": feature service '"
            + model.featureService() + "' is not defined"));
    Map<FeatureRef, Feature> served = new HashMap<>();
    for (FeatureSelection.Column column : definitions.select(service.features(), FeatureNaming.SHORT).columns()) {
      served.put(column.ref(), column.feature());
    }
    for (ModelInput input : model.inputs()) {
      Feature feature = served.get(input.feature());
      if (feature == null) {
        throw new InvalidRequestException("Cannot define " + what + ": input '" + input.feature()
            + "' is not a feature of feature service '" + service.name() + "'");
      }
      if (feature.type() != input.type()) {
        throw new InvalidRequestException("Cannot define " + what + ": input '" + input.feature() + "' is declared "
            + input.type() + " but feature service '" + service.name() + "' serves it as " + feature.type());
      }
    }
  }

  private static void checkExperiment(
      Definitions definitions, Map<ModelVersion, Model> models, Experiment experiment) {
    String what = "experiment '" + experiment.name() + "'";
    String service = null;
    String first = null;
    List<ModelVersion> ids = new java.util.ArrayList<>();
    experiment.variants().forEach(v -> ids.add(v.model()));
    ids.addAll(experiment.shadows());
    for (ModelVersion id : ids) {
      Model model = models.get(id);
      if (model == null) {
        throw new InvalidRequestException("Cannot define " + what + ": model '" + id + "' is not defined");
      }
      if (service == null) {
        service = model.featureService();
        first = id.toString();
      } else if (!service.equals(model.featureService())) {
        throw new InvalidRequestException("Cannot define " + what + ": model '" + id + "' reads feature service '"
            + model.featureService() + "' but '" + first + "' reads '" + service
            + "'; every model of an experiment reads the same features");
      }
    }
    FeatureService read = definitions.requireService(service);
    boolean unitIsKey = definitions.select(read.features(), FeatureNaming.SHORT).joinKeys().values().stream()
        .flatMap(List::stream)
        .anyMatch(k -> k.name().equals(experiment.unitKey()));
    if (!unitIsKey) {
      throw new InvalidRequestException("Cannot define " + what + ": unit key '" + experiment.unitKey()
          + "' is no join key of feature service '" + service + "'");
    }
  }
}
