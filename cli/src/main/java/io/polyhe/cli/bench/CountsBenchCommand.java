package io.polyhe.cli.bench;

import com.google.gson.GsonBuilder;
import io.polyhe.models.ShippedModels;
import io.polyhe.models.encrypted.EncryptedTransformer;
import io.polyhe.models.encrypted.LevelPlanner;
import io.polyhe.models.encrypted.PassCounts;
import io.polyhe.models.forward.Transformer;
import io.polyhe.models.profile.Component;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code polyhe bench counts}: key switches of one pass by component for each row count T, from a
 * dry run at the planned parameters ({@link PassCounts}: no keys, no ciphertexts, the same on every
 * machine). Shows what a pass's work depends on: with all rows in one ciphertext only attention
 * grows with T, which bounds what reusing earlier rows can save a generated token.
 */
@Command(name = "counts", mixinStandardHelpOptions = true,
    description = "Key switches of a pass by component for each T (dry run: no keys, machine-independent).")
final class CountsBenchCommand implements Callable<Integer> {
  @Option(names = "--model", defaultValue = ShippedModels.DEFAULT,
      description = "Shipped model name or model directory (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--tokens", split = ",", defaultValue = "1,6,32", description = "Row counts T (default: ${DEFAULT-VALUE}).")
  List<Integer> tokens;

  @Option(names = "--json", description = "End stdout with one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Transformer transformer = ShippedModels.loadShippedOrDirectory(model);
    EncryptedTransformer encrypted = LevelPlanner.choose(transformer);
    System.out.printf("polyhe bench counts: %s at %s, %d rows per ciphertext%n", transformer.config().name(),
        encrypted.parameters(), encrypted.layout().rowsPerCiphertext());
    StringBuilder head = new StringBuilder(String.format("%5s %5s %9s %12s", "T", "cts", "refreshes", "key switches"));
    for (Component c : Component.values()) {
      head.append(String.format(" %14s", c.label()));
    }
    System.out.println(head);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int t : tokens) {
      PassCounts p = PassCounts.of(encrypted, t);
      StringBuilder line = new StringBuilder(String.format("%5d %5d %9d %12d", t, p.ciphertexts(), p.refreshes(),
          p.keySwitches()));
      Map<String, Long> by = new LinkedHashMap<>();
      for (Component c : Component.values()) {
        line.append(String.format(" %14d", p.of(c)));
        if (p.of(c) > 0) {
          by.put(c.label(), p.of(c));
        }
      }
      System.out.println(line);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("tokens", t);
      row.put("ciphertexts", p.ciphertexts());
      row.put("refreshes", p.refreshes());
      row.put("key_switches", p.keySwitches());
      row.put("key_switches_by_component", by);
      rows.add(row);
    }
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("model", transformer.config().name());
      out.put("log_n", encrypted.parameters().logN());
      out.put("levels", encrypted.parameters().maxLevel());
      out.put("rows_per_ciphertext", encrypted.layout().rowsPerCiphertext());
      out.put("passes", rows);
      System.out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(out));
    }
    return 0;
  }
}
