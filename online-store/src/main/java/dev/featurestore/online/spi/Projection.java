package dev.featurestore.online.spi;

import dev.featurestore.api.definition.FeatureView;
import java.util.Arrays;
import java.util.Collection;

/**
 * The features of one view that a read needs, by their position in the view's declaration order, so that a store
 * decodes only those: a request for 50 features of a 250-feature view decoded all 250 values of every row (about a
 * third of the server's Java samples, the 1 x 50, 100 x 50 and ranking shapes profiled together). Immutable and
 * thread-safe.
 */
public final class Projection {
  private final FeatureView view;
  /** Null for every feature of the view. */
  private final boolean[] included;
  /** The included positions in ascending order, so that a decoder visits only those. */
  private final int[] positions;

  private Projection(FeatureView view, boolean[] included) {
    this.view = view;
    this.included = included;
    int count = view.features().size();
    int[] found = new int[count];
    int size = 0;
    for (int position = 0; position < count; position++) {
      if (included == null || included[position]) {
        found[size++] = position;
      }
    }
    this.positions = Arrays.copyOf(found, size);
  }

  /** Every feature of {@code view}. */
  public static Projection all(FeatureView view) {
    return new Projection(view, null);
  }

  /**
   * The named features of {@code view}.
   *
   * @throws IllegalArgumentException naming the first name that is not a feature of the view
   */
  public static Projection of(FeatureView view, Collection<String> featureNames) {
    boolean[] included = new boolean[view.features().size()];
    for (String name : featureNames) {
      int position = view.indexOf(name);
      if (position < 0) {
        throw new IllegalArgumentException(
            "Cannot project view '" + view.name() + "': '" + name + "' is not a feature of it");
      }
      included[position] = true;
    }
    boolean every = true;
    for (boolean feature : included) {
      every &= feature;
    }
    return new Projection(view, every ? null : included);
  }

  /** The view whose positions {@link #includes} takes. */
  public FeatureView view() {
    return view;
  }

  /** Whether the feature at {@code position} in {@link #view()}'s declaration order is needed. */
  public boolean includes(int position) {
    return included == null || included[position];
  }

  /** How many features are needed. */
  public int includedCount() {
    return positions.length;
  }

  /**
   * The position in {@link #view()}'s declaration order of the {@code i}-th needed feature, in ascending order of
   * position; {@code i} from 0 to {@link #includedCount()} - 1.
   */
  public int includedPosition(int i) {
    return positions[i];
  }

  /** Whether every feature of the view is needed. */
  public boolean isAll() {
    return included == null;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Projection that && view.equals(that.view) && Arrays.equals(included, that.included);
  }

  @Override
  public int hashCode() {
    return view.hashCode() * 31 + Arrays.hashCode(included);
  }

  @Override
  public String toString() {
    if (included == null) {
      return view.name() + ":*";
    }
    StringBuilder text = new StringBuilder(view.name()).append(":[");
    String separator = "";
    for (int i = 0; i < included.length; i++) {
      if (included[i]) {
        text.append(separator).append(view.features().get(i).name());
        separator = ", ";
      }
    }
    return text.append(']').toString();
  }
}
