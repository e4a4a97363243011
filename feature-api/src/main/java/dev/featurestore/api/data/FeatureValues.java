package dev.featurestore.api.data;

import dev.featurestore.api.definition.FeatureView;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The feature values of one row of a view, held by position in the view's declaration order: an immutable
 * {@link Map} from feature name to non-null value, for rows decoded in bulk (online reads), where building a hash
 * map per row and hashing freshly decoded names dominated the cost. Lookups go through the view's name index, so
 * asking with the view's own name strings is one cached-hash probe. Equal to any map with the same entries.
 */
public final class FeatureValues extends AbstractMap<String, Object> {
  private final FeatureView view;
  private final Object[] values;
  /**
   * The number of non-null values, counted on first use (-1 before): readers of decoded rows mostly ask by position
   * and never for the size. A racy cache like String's hash: every thread counts the same number.
   */
  private int size = -1;

  private FeatureValues(FeatureView view, Object[] values) {
    this.view = view;
    this.values = values;
  }

  /**
   * The values of {@code view}'s features, {@code byPosition[i]} belonging to {@code view.features().get(i)}, null
   * where the row holds none. The array is copied. Values must already be in their features' representation.
   *
   * @throws IllegalArgumentException when the array's length is not the view's feature count
   */
  public static FeatureValues of(FeatureView view, Object[] byPosition) {
    if (byPosition.length != view.features().size()) {
      throw new IllegalArgumentException("Cannot hold values of view '" + view.name() + "': " + byPosition.length
          + " values for " + view.features().size() + " features");
    }
    return new FeatureValues(view, byPosition.clone());
  }

  /**
   * The view whose declaration order the positions follow: a reader that resolved positions against this very
   * instance may use {@link #at} instead of a lookup by name.
   */
  public FeatureView view() {
    return view;
  }

  /** The value at a feature's position in the view, or null. */
  public Object at(int position) {
    return values[position];
  }

  @Override
  public Object get(Object name) {
    if (!(name instanceof String text)) {
      return null;
    }
    int position = view.indexOf(text);
    return position < 0 ? null : values[position];
  }

  @Override
  public boolean containsKey(Object name) {
    return get(name) != null;
  }

  @Override
  public int size() {
    int present = size;
    if (present < 0) {
      present = 0;
      for (Object value : values) {
        if (value != null) {
          present++;
        }
      }
      size = present;
    }
    return present;
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Object>> iterator() {
        return new Iterator<>() {
          private int next = advance(0);

          private int advance(int from) {
            int position = from;
            while (position < values.length && values[position] == null) {
              position++;
            }
            return position;
          }

          @Override
          public boolean hasNext() {
            return next < values.length;
          }

          @Override
          public Entry<String, Object> next() {
            if (next >= values.length) {
              throw new NoSuchElementException();
            }
            Entry<String, Object> entry =
                new SimpleImmutableEntry<>(view.features().get(next).name(), values[next]);
            next = advance(next + 1);
            return entry;
          }
        };
      }

      @Override
      public int size() {
        return FeatureValues.this.size();
      }
    };
  }

}
