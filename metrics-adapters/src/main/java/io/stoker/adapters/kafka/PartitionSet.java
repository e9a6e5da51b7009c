package io.stoker.adapters.kafka;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An immutable set of partition ids held as one sorted {@code int[]}: a {@code partitionLimitation}
 * of the largest allowed size ({@link KafkaLagConfig#MAX_LIMITED_PARTITIONS}) costs 40 KB, not the
 * 600 KB of a {@code TreeSet<Integer>}, and {@link #contains} is a binary search.
 */
final class PartitionSet extends AbstractSet<Integer> {
  private final int[] ids;

  /**
   * @param ids partition ids, in any order, duplicates allowed
   */
  PartitionSet(int[] ids) {
    this.ids = Arrays.stream(ids).sorted().distinct().toArray();
  }

  @Override
  public boolean contains(Object o) {
    return o instanceof Integer i && Arrays.binarySearch(ids, i) >= 0;
  }

  @Override
  public int size() {
    return ids.length;
  }

  @Override
  public Iterator<Integer> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < ids.length;
      }

      @Override
      public Integer next() {
        if (next >= ids.length) {
          throw new NoSuchElementException();
        }
        return ids[next++];
      }
    };
  }
}
