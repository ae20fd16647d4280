package io.segments.segment;

import io.segments.config.SegmentSpec;
import java.io.Serializable;
import java.sql.Date;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Replays one user's days in order: a user outside a segment enters when its rule holds; a member stays until
 * the exit rule holds (default: the rule no longer holds, but not before {@code min_days}); within a family the
 * qualifying segment with the lowest priority number wins and the others record nothing.
 *
 * <p>Input rows (sorted by day): as_of_date, user_id, enter_0, exit_0, enter_1, exit_1, ... and the user's
 * state before the first day (segment -> entered_on). Output rows carry a {@code record}: {@code member} (one
 * per member per day), {@code entered}, {@code exited} (with the family's new segment, if any) and
 * {@code stay} (one per stay that is open or ended in the replayed range).
 */
final class MembershipStateMachine implements Serializable {
  static final StructType OUTPUT = new StructType()
      .add("record", DataTypes.StringType, false)
      .add("as_of_date", DataTypes.DateType, true)
      .add("user_id", DataTypes.StringType, false)
      .add("segment", DataTypes.StringType, false)
      .add("family", DataTypes.StringType, true)
      .add("entered_on", DataTypes.DateType, true)
      .add("exited_on", DataTypes.DateType, true)
      .add("replaced_by", DataTypes.StringType, true);

  private final String[] names;
  private final String[] families;
  private final int[] priorities;
  private final int[] minDays;
  private final boolean[] explicitExit;

  MembershipStateMachine(List<SegmentSpec> segments) {
    int n = segments.size();
    names = new String[n];
    families = new String[n];
    priorities = new int[n];
    minDays = new int[n];
    explicitExit = new boolean[n];
    for (int i = 0; i < n; i++) {
      SegmentSpec spec = segments.get(i);
      names[i] = spec.name();
      families[i] = spec.family();
      priorities[i] = spec.priority();
      minDays[i] = spec.minDays();
      explicitExit[i] = spec.exitRule() != null;
    }
  }

  /**
   * @param state the user's memberships before the first day (segment -> entered_on); updated in place
   * @param families the family of each segment in {@code state}, for segments no longer configured
   * @param days the user's flag rows, sorted by as_of_date
   */
  List<Row> replay(String userId, Map<String, LocalDate> state, Map<String, String> families,
      Iterator<Row> days) {
    List<Row> out = new ArrayList<>();
    boolean first = true;
    while (days.hasNext()) {
      Row row = days.next();
      LocalDate day = row.getDate(0).toLocalDate();
      if (first) {
        closeRemoved(userId, state, families, day, out);
        first = false;
      }
      boolean[] wants = new boolean[names.length];
      for (int i = 0; i < names.length; i++) {
        boolean enter = row.getBoolean(2 + 2 * i);
        boolean exit = row.getBoolean(3 + 2 * i);
        LocalDate entered = state.get(names[i]);
        if (entered == null) {
          wants[i] = enter;
        } else {
          boolean tooSoon = !explicitExit[i] && ChronoUnit.DAYS.between(entered, day) < minDays[i];
          wants[i] = !exit || tooSoon;
        }
      }
      boolean[] wins = resolveFamilies(wants);
      Map<String, LocalDate> next = new LinkedHashMap<>();
      for (int i = 0; i < names.length; i++) {
        if (wins[i]) {
          LocalDate entered = state.getOrDefault(names[i], day);
          next.put(names[i], entered);
          out.add(record("member", day, userId, i, entered, null, null));
          if (!state.containsKey(names[i])) {
            out.add(record("entered", day, userId, i, day, null, null));
          }
        }
      }
      for (int i = 0; i < names.length; i++) {
        LocalDate entered = state.get(names[i]);
        if (entered != null && !wins[i]) {
          String replacedBy = familyWinner(i, wins);
          out.add(record("exited", day, userId, i, entered, day, replacedBy));
          out.add(record("stay", null, userId, i, entered, day, null));
        }
      }
      state.clear();
      state.putAll(next);
    }
    for (Map.Entry<String, LocalDate> open : state.entrySet()) {
      int index = indexOf(open.getKey());
      out.add(index >= 0 ? record("stay", null, userId, index, open.getValue(), null, null)
          : record("stay", null, userId, open.getKey(), families.get(open.getKey()), open.getValue(), null, null));
    }
    return out;
  }

  /** A segment removed from the config (or renamed) ends every stay in it on the first replayed day. */
  private void closeRemoved(String userId, Map<String, LocalDate> state, Map<String, String> families,
      LocalDate day, List<Row> out) {
    for (String segment : List.copyOf(state.keySet())) {
      if (indexOf(segment) < 0) {
        LocalDate entered = state.remove(segment);
        out.add(record("exited", day, userId, segment, families.get(segment), entered, day, null));
        out.add(record("stay", null, userId, segment, families.get(segment), entered, day, null));
      }
    }
  }

  /** Within each family only the wanted segment with the lowest priority (then the first declared) stays. */
  private boolean[] resolveFamilies(boolean[] wants) {
    boolean[] wins = wants.clone();
    for (int i = 0; i < names.length; i++) {
      if (!wins[i] || families[i] == null) {
        continue;
      }
      for (int j = 0; j < names.length; j++) {
        if (j != i && wants[j] && families[i].equals(families[j])
            && (priorities[j] < priorities[i] || (priorities[j] == priorities[i] && j < i))) {
          wins[i] = false;
          break;
        }
      }
    }
    return wins;
  }

  private String familyWinner(int exited, boolean[] wins) {
    if (families[exited] == null) {
      return null;
    }
    for (int j = 0; j < names.length; j++) {
      if (wins[j] && families[exited].equals(families[j])) {
        return names[j];
      }
    }
    return null;
  }

  private int indexOf(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equalsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
  }

  private Row record(String kind, LocalDate day, String userId, int segment, LocalDate entered, LocalDate exited,
      String replacedBy) {
    return record(kind, day, userId, names[segment], families[segment], entered, exited, replacedBy);
  }

  private static Row record(String kind, LocalDate day, String userId, String segment, String family,
      LocalDate entered, LocalDate exited, String replacedBy) {
    return RowFactory.create(kind, day == null ? null : Date.valueOf(day), userId, segment, family,
        entered == null ? null : Date.valueOf(entered), exited == null ? null : Date.valueOf(exited), replacedBy);
  }
}
