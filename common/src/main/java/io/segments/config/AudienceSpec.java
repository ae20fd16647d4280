package io.segments.config;

import java.util.List;

/**
 * An audience published for reverse ETL: the members of one segment plus the export attributes allowed for
 * it. Only the listed columns of the users table are ever published for this audience.
 *
 * @param attributes plain columns of the users table (e.g. plan, country)
 * @param hashedIdentifiers columns published as hex SHA-256 of the trimmed, lower-cased value, as
 *     {@code <column>_sha256}
 */
public record AudienceSpec(String name, String segment, List<String> attributes, List<String> hashedIdentifiers,
    String where) {

  public AudienceSpec {
    attributes = List.copyOf(attributes);
    hashedIdentifiers = List.copyOf(hashedIdentifiers);
  }
}
