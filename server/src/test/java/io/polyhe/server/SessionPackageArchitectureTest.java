package io.polyhe.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The session package knows nothing of the services, gRPC or the protos: its failures are its own
 * exceptions, which the service layer maps to statuses, so the two packages are no cycle and a key
 * store can be built and tested without a server.
 */
class SessionPackageArchitectureTest {
  static final JavaClasses SERVER = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.polyhe.server");

  static ArchRule noDependencyOnServicesOrGrpc(String pkg) {
    // An empty selection fails the rule (ArchUnit's failOnEmptyShould), so a renamed package cannot
    // make it pass vacuously.
    return noClasses().that().resideInAPackage(pkg).should().dependOnClassesThat()
        .resideInAnyPackage("io.polyhe.server.service..", "io.grpc..", "io.polyhe.proto..");
  }

  @Test
  void theSessionPackageDependsOnNoServiceGrpcOrProto() {
    noDependencyOnServicesOrGrpc("io.polyhe.server.session..").check(SERVER);
  }

  @Test
  void theRuleSeesADependencyWhereThereIsOne() {
    // The services do use gRPC: the same rule over them must fail, and name it.
    var details = noDependencyOnServicesOrGrpc("io.polyhe.server.service..").evaluate(SERVER).getFailureReport()
        .getDetails();
    assertTrue(details.stream().anyMatch(d -> d.contains("<io.grpc.")), details.size() + " violations");
  }
}
