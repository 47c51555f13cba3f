package org.postseal.milter.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.postseal.mail.HeaderField;

/**
 * What the milter answered to one transaction: the modifications in the order sent and the final reply.
 * A transaction the milter decided before end of message ({@code atEndOfMessage} false) has that early
 * reply and no modifications.
 *
 * @param leadingSpace      whether header values were negotiated to carry their leading space (how to apply edits)
 * @param endOfMessageNanos from sending end of message to the final reply; 0 for an early reply
 */
public record MessageOutcome(List<Modification> modifications, MilterReply reply, boolean atEndOfMessage,
                             boolean leadingSpace, long endOfMessageNanos) {

  static MessageOutcome early(MilterReply reply) {
    return new MessageOutcome(List.of(), reply, false, false, 0);
  }

  /** The header edits, in order. */
  public List<Modification.HeaderChange> headerChanges() {
    List<Modification.HeaderChange> changes = new ArrayList<>();
    for (Modification m : modifications) {
      if (m instanceof Modification.HeaderChange change) {
        changes.add(change);
      }
    }
    return changes;
  }

  /** Everything but header edits (quarantine, body replacement, envelope changes), in order. */
  public List<Modification> otherModifications() {
    return modifications.stream().filter(m -> !(m instanceof Modification.HeaderChange)).toList();
  }

  public Duration endOfMessageTime() {
    return Duration.ofNanos(endOfMessageNanos);
  }

  /** The value of a header edit as it will be delivered: Postfix adds the space when leading space was not negotiated. */
  public HeaderField deliveredField(Modification.HeaderChange change) {
    return HeaderField.fromMilter(change.name(), leadingSpace ? change.value() : " " + change.value());
  }

  /**
   * The header as Postfix's cleanup would deliver it after these edits, in order: inserts at their
   * 0-based index, adds at the end, changes and deletes of the index-th (1-based) field of that name
   * counted among the fields as they are by then. Body replacement and envelope changes are not applied.
   */
  public List<HeaderField> applyTo(List<HeaderField> header) {
    List<HeaderField> fields = new ArrayList<>(header);
    for (Modification m : modifications) {
      if (m instanceof Modification.Insert insert) {
        fields.add(Math.min(Math.max(insert.index(), 0), fields.size()), deliveredField(insert));
      } else if (m instanceof Modification.Add add) {
        fields.add(deliveredField(add));
      } else if (m instanceof Modification.Change change) {
        int wanted = Math.max(change.index(), 1); // index 0 means 1 in Postfix (Sendmail compatibility)
        int seen = 0;
        for (int i = 0; i < fields.size(); i++) {
          if (fields.get(i).hasName(change.name()) && ++seen == wanted) {
            if (change.isDelete()) {
              fields.remove(i);
            } else {
              fields.set(i, new HeaderField(fields.get(i).name(), deliveredField(change).value()));
            }
            break;
          }
        }
      }
    }
    return List.copyOf(fields);
  }
}
