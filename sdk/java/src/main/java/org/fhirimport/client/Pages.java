package org.fhirimport.client;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** A paged List RPC as one lazy stream: the next page is asked for when the last one is used up. */
final class Pages {
  private Pages() {}

  static <T, P> Stream<T> stream(
      Function<String, P> fetch, Function<P, List<T>> items, Function<P, String> nextToken) {
    Iterator<T> iterator =
        new Iterator<>() {
          private Iterator<T> page = null;
          private String token = "";

          @Override
          public boolean hasNext() {
            while (page == null || !page.hasNext()) {
              if (page != null && token.isEmpty()) {
                return false;
              }
              P response = fetch.apply(token);
              page = items.apply(response).iterator();
              token = nextToken.apply(response);
            }
            return true;
          }

          @Override
          public T next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            return page.next();
          }
        };
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(iterator, Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }
}
