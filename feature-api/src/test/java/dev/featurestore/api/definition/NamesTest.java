package dev.featurestore.api.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.error.InvalidRequestException;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamesTest {

  @Test
  void check_identifiers_areAccepted() {
    for (String name : List.of("a", "user_id", "txn_count_7d", "x9", "a_", "z".repeat(128))) {
      assertThat(Names.check(name, "feature")).isEqualTo(name);
    }
  }

  @Test
  void check_nonIdentifiers_areRefusedNamingTheValue() {
    String[] refused = {"", "User", "7d", "_a", "a-b", "a b", "a.b", "é", "z".repeat(129)};
    for (String name : refused) {
      assertThatThrownBy(() -> Names.check(name, "feature"))
          .as(name)
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage("Cannot use feature name '" + name + "': names are lower-case identifiers [a-z][a-z0-9_]*");
    }
    assertThatThrownBy(() -> Names.check(null, "entity"))
        .hasMessage("Cannot use entity name 'null': names are lower-case identifiers [a-z][a-z0-9_]*");
  }
}
