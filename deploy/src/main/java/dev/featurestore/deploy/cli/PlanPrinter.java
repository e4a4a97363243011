package dev.featurestore.deploy.cli;

import dev.featurestore.registry.ObjectChange;
import dev.featurestore.registry.Plan;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Prints a plan the way {@code terraform plan} reads: one line per object, indented field changes under it. */
final class PlanPrinter {
  private PlanPrinter() {}

  static void print(Plan plan, PrintWriter out) {
    print(plan.baseVersion(), plan.changes(), plan.violations(), out);
  }

  static void print(long baseVersion, List<ObjectChange> changes, List<String> violations, PrintWriter out) {
    if (changes.isEmpty()) {
      out.printf("No changes: the registry (version %d) already holds these definitions.%n", baseVersion);
      return;
    }
    out.printf("Changes against registry version %d:%n", baseVersion);
    for (ObjectChange change : changes) {
      String symbol = switch (change.action()) {
        case ADDED -> "+";
        case CHANGED -> "~";
        case REMOVED -> "-";
      };
      out.printf("  %s %s %s%n", symbol, change.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '),
          change.name());
      for (ObjectChange.FieldChange field : change.fields()) {
        out.printf("      %s: %s -> %s%n", field.field(), show(field.oldValue()), show(field.newValue()));
      }
    }
    if (!violations.isEmpty()) {
      out.println("Refused (apply would change nothing):");
      violations.forEach(v -> out.println("  ! " + v));
    }
  }

  private static String show(String value) {
    return value == null || value.isEmpty() ? "(none)" : value;
  }
}
