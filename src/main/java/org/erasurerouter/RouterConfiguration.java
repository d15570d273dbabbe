package org.erasurerouter;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.PropertyInject;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.springframework.data.redis.serializer.StringRedisSerializer;

/** The shared clients the routes refer to by name; every setting comes from application.properties. */
public class RouterConfiguration implements CamelConfiguration {

    /**
     * One Neo4j driver for the whole runtime. camel-neo4j uses it for its endpoints; beans use it directly for
     * parameterised Cypher, which the component cannot run (it sends the body as a query without parameters).
     */
    @BindToRegistry(value = "neo4jDriver", beanPostProcess = true)
    public Driver neo4jDriver(@PropertyInject("erasure.neo4j.url") String url,
                              @PropertyInject("erasure.neo4j.username") String username,
                              @PropertyInject(value = "erasure.neo4j.password", defaultValue = "") String password) {
        return GraphDatabase.driver(url, password.isEmpty() ? AuthTokens.none() : AuthTokens.basic(username, password),
                Config.builder().withLogging(Logging.slf4j()).build());
    }

    /** The pooled connection to the ledger database (and the JDBC store); connects lazily so start-up never hangs. */
    @BindToRegistry("erasureDataSource")
    public DataSource erasureDataSource(@PropertyInject("erasure.jdbc.url") String url,
                                        @PropertyInject(value = "erasure.jdbc.username", defaultValue = "") String username,
                                        @PropertyInject(value = "erasure.jdbc.password", defaultValue = "") String password,
                                        @PropertyInject(value = "erasure.jdbc.pool-size", defaultValue = "8") int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("erasure-jdbc");
        config.setJdbcUrl(url);
        config.setUsername(username);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    /** Redis keys and values are plain UTF-8 strings, as the platform's cache writes them (not Java-serialised). */
    @BindToRegistry("stringRedisSerializer")
    public StringRedisSerializer stringRedisSerializer() {
        return StringRedisSerializer.UTF_8;
    }
}
