package dev.featurestore.deploy.cli;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureView;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --views} option of the commands that work view by view: the named views, or all of them. */
final class ViewSelection {
  @Option(names = {"-v", "--views"}, split = ",", paramLabel = "VIEW",
      description = "Views, comma separated (default: all views in the registry).")
  List<String> views;

  /**
   * The selected views' names, each checked against {@code definitions}.
   *
   * @throws dev.featurestore.api.error.NotFoundException naming a view the registry does not define
   */
  List<String> resolve(Definitions definitions) {
    List<String> names = views != null ? views : definitions.featureViews().stream().map(FeatureView::name).toList();
    names.forEach(definitions::requireView);
    return names;
  }
}
