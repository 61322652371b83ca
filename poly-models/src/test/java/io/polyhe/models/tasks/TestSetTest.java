package io.polyhe.models.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polyhe.models.format.ModelFormatException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TestSetTest {

  @Test
  void shipsAtLeast500DistinctPromptsPerTask() throws IOException {
    List<TaskExample> all = TestSet.shipped();
    Map<Task, List<TaskExample>> byTask = all.stream().collect(Collectors.groupingBy(TaskExample::task));
    for (Task t : Task.values()) {
      List<TaskExample> mine = byTask.get(t);
      assertTrue(mine.size() >= 500, t + ": " + mine.size());
      assertEquals(mine.size(), mine.stream().map(TaskExample::prompt).distinct().count());
    }
  }

  @Test
  void solvesTheTasks() {
    assertEquals("1135", Task.SORT.solve("^S5131="));
    assertEquals("1315", Task.REVERSE.solve("^R5131="));
    assertEquals("2", Task.COUNT.solve("^C1|5131="));
    assertEquals("0", Task.COUNT.solve("^C7|5131="));
    assertThrows(IllegalArgumentException.class, () -> Task.SORT.solve("^R5131="));
    assertThrows(IllegalArgumentException.class, () -> Task.COUNT.solve("^C15131="));
    assertThrows(IllegalArgumentException.class, () -> Task.SORT.solve("^S51a1="));
  }

  @Test
  void rejectsBadLines() {
    assertTrue(assertThrows(ModelFormatException.class,
        () -> TestSet.parse("t", "{\"task\":\"sort\",\"prompt\":\"^S21=\",\"answer\":\"21\"}")).getMessage().contains("is wrong"));
    assertTrue(assertThrows(ModelFormatException.class,
        () -> TestSet.parse("t", "\n{\"task\":\"shuffle\",\"prompt\":\"^S21=\",\"answer\":\"12\"}")).getMessage().startsWith("t:2"));
    assertThrows(ModelFormatException.class, () -> TestSet.parse("t", "{\"task\":\"sort\"}"));
  }
}
